import { describe, expect, it } from 'vitest';
import { parseJoinFragment, tokenMetadata } from './embed-join';

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const SESSION = '0b5c2a7e-1f3d-4c1e-9a5b-3c2d1e0f9a8b';
const TOKEN = `${b64url({ alg: 'HS256' })}.${b64url({
  metadata: JSON.stringify({ modality_profile: 'audio', enabled_panels: ['notepad'] }),
})}.sig`;

describe('parseJoinFragment', () => {
  it('reads the session id and token of a join link', () => {
    expect(parseJoinFragment(`#session=${SESSION}&token=${TOKEN}`)).toEqual({
      sessionId: SESSION,
      token: TOKEN,
    });
  });

  it('ignores fragments that are not a well-formed join', () => {
    expect(parseJoinFragment('')).toBeNull();
    expect(parseJoinFragment(`#session=nope&token=${TOKEN}`)).toBeNull();
    expect(parseJoinFragment(`#session=${SESSION}&token=not-a-jwt`)).toBeNull();
    expect(parseJoinFragment(`#session=${SESSION}`)).toBeNull();
  });
});

describe('tokenMetadata', () => {
  it('reads the modality and panels the API put in the token', () => {
    expect(tokenMetadata(TOKEN)).toMatchObject({
      modality_profile: 'audio',
      enabled_panels: ['notepad'],
    });
  });
});
