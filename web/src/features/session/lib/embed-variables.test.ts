import { describe, expect, it } from 'vitest';
import { embedVariables } from './embed-variables';

describe('embedVariables', () => {
  it('reads var.<name> as text and vars as typed JSON, var. winning', () => {
    expect(
      embedVariables({
        'var.customer_name': 'Sam',
        'var.plan': ['pro', 'basic'],
        vars: '{"seats":3,"vip":true,"plan":"basic","customer_name":"Al"}',
        name: 'Ava',
      }),
    ).toEqual({ customer_name: 'Sam', plan: 'pro', seats: 3, vip: true });
  });

  it('leaves out bad names, bad JSON and values that are not scalars', () => {
    expect(embedVariables({ 'var.Bad-Name': 'x', vars: 'not json' })).toEqual({});
    expect(embedVariables({ vars: '{"list":[1],"obj":{},"ok":"y","n":null}' })).toEqual({
      ok: 'y',
    });
    expect(embedVariables({ vars: '[1,2]' })).toEqual({});
  });

  it('bounds the text of a value', () => {
    expect(embedVariables({ 'var.note': 'x'.repeat(2000) }).note).toHaveLength(1000);
  });
});
