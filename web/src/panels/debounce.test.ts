import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeyedDebouncer } from './debounce';

describe('createKeyedDebouncer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('delivers only the latest value per key after the quiet period', () => {
    const deliver = vi.fn();
    const debouncer = createKeyedDebouncer<string>(500, deliver);
    debouncer.push('a', '1');
    vi.advanceTimersByTime(300);
    debouncer.push('a', '2');
    debouncer.push('b', 'x');
    vi.advanceTimersByTime(499);
    expect(deliver).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(deliver.mock.calls).toEqual([
      ['a', '2'],
      ['b', 'x'],
    ]);
  });

  it('flushes pending values immediately and cancel drops them', () => {
    const deliver = vi.fn();
    const debouncer = createKeyedDebouncer<number>(500, deliver);
    debouncer.push('a', 1);
    debouncer.flush();
    expect(deliver).toHaveBeenCalledWith('a', 1);
    debouncer.push('a', 2);
    debouncer.cancel();
    vi.advanceTimersByTime(1000);
    expect(deliver).toHaveBeenCalledTimes(1);
  });
});
