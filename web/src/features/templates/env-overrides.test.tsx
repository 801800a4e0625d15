import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import {
  EnvOverridesEditor,
  draftsFromOverrides,
  overridesFromDrafts,
  validateDrafts,
  type Overrides,
} from './env-overrides';

describe('environment overrides', () => {
  it('round-trips the API shape, keeping pins it does not edit', () => {
    const api: Overrides = {
      dev: { max_duration_s: 300, enabled_panels: ['code'], pinned_versions: { ava: 2 } },
      production: { record_audio: true, initial_agent: 'max' },
    };
    expect(overridesFromDrafts(draftsFromOverrides(api))).toEqual(api);
    expect(overridesFromDrafts(draftsFromOverrides({}))).toEqual({});
  });

  it('checks the numbers per environment', () => {
    const drafts = draftsFromOverrides({ staging: { idle_timeout_s: 30 } });
    drafts.staging.idle_timeout_s = '5';
    drafts.staging.max_duration_s = '1.5';
    expect(validateDrafts(drafts)).toEqual({
      'environment_overrides.staging.idle_timeout_s': 'Whole seconds, at least 10.',
      'environment_overrides.staging.max_duration_s': 'Whole seconds, at least 60.',
    });
  });

  it('is edited as fields, not JSON', () => {
    let latest: Overrides = {};
    function Harness() {
      const [drafts, setDrafts] = useState(draftsFromOverrides({}));
      latest = overridesFromDrafts(drafts);
      return (
        <EnvOverridesEditor
          drafts={drafts}
          onChange={setDrafts}
          errors={{}}
          agents={['ava', 'max']}
          modalityProfiles={['audio', 'audio_camera']}
          panels={['notepad', 'code']}
        />
      );
    }
    render(<Harness />);
    expect(screen.queryByRole('textbox', { name: /JSON/ })).toBeNull();
    fireEvent.click(screen.getByLabelText('Override in Production'));
    fireEvent.change(screen.getByLabelText('Production: max duration (s)'), {
      target: { value: '600' },
    });
    fireEvent.change(screen.getByLabelText('Production: record audio'), {
      target: { value: 'off' },
    });
    fireEvent.change(screen.getByLabelText('Production: initial agent'), {
      target: { value: 'max' },
    });
    fireEvent.click(screen.getByLabelText('Own panels'));
    fireEvent.click(screen.getByLabelText('notepad'));
    expect(latest).toEqual({
      production: {
        max_duration_s: 600,
        record_audio: false,
        initial_agent: 'max',
        enabled_panels: ['notepad'],
      },
    });
    fireEvent.click(screen.getByLabelText('Override in Production'));
    expect(latest).toEqual({});
  });
});
