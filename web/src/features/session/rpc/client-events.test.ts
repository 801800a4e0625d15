import { describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, TOPIC_CLIENT_EVENTS } from '@/contracts';
import { buildClientHello, sendClientEvent } from './client-events';
import { parseOpenUrl } from './payloads';
import { dispatchUiAction } from './ui-actions';

describe('client hello', () => {
  it.each([
    ['audio', false, false],
    ['audio_camera', true, false],
    ['audio_screen', false, true],
    ['audio_camera_screen', true, true],
  ] as const)('%s → camera %s, screen %s', (profile, camera, screen) => {
    expect(buildClientHello(['troupe.open_panel'], ['notepad'], profile)).toEqual({
      type: 'hello',
      protocol_version: PROTOCOL_VERSION,
      rpc_methods: ['troupe.open_panel'],
      panels: ['notepad'],
      camera,
      screen_share: screen,
    });
  });

  it('is sent as JSON on the client events topic', async () => {
    const sendText = vi.fn().mockResolvedValue({});
    const hello = buildClientHello([], [], 'audio');
    await sendClientEvent({ localParticipant: { sendText } } as never, hello);
    expect(sendText).toHaveBeenCalledWith(JSON.stringify(hello), { topic: TOPIC_CLIENT_EVENTS });
  });
});

describe('payloads', () => {
  it('only opens http(s) URLs', () => {
    expect(parseOpenUrl('{"url":"https://example.com/a","new_tab":true}').url).toBe(
      'https://example.com/a',
    );
    expect(() => parseOpenUrl('{"url":"javascript:alert(1)"}')).toThrow(/http/);
    expect(() => parseOpenUrl('{"url":"/relative"}')).toThrow();
  });

  it('dispatches known UI actions and rejects unknown ones as unsupported', () => {
    const actions = { ping: () => ({ pong: true }) };
    expect(dispatchUiAction(actions, { action: 'ping', params: {} })).toEqual({
      action: 'ping',
      pong: true,
    });
    expect(() => dispatchUiAction(actions, { action: 'toString', params: {} })).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
  });
});
