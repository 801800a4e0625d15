import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ToolForm } from './tool-form';
import {
  DEFAULT_PARAMETERS,
  fromTool,
  toToolBody,
  validateTool,
  validateToolSchema,
} from './tool-validation';

describe('tool schema validation', () => {
  it('accepts an object schema', () => {
    expect(validateToolSchema(DEFAULT_PARAMETERS)).toBeNull();
  });

  it.each([
    ['{', /Not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"type": "string"}', /must be "object"/],
    ['{"type": "object", "properties": []}', /"properties" must be an object/],
    ['{"type": "object", "properties": {"a": {"type": "text"}}}', /unknown type/],
    ['{"type": "object", "properties": {}, "required": ["a"]}', /unknown properties: a/],
  ])('rejects %s', (text, message) => {
    expect(validateToolSchema(text)).toMatch(message);
  });

  it('checks name, url, timeout and header names', () => {
    const errors = validateTool({
      ...fromTool(),
      name: '1bad name',
      url: 'ftp://x',
      timeout: '100',
      headers: [['', 'value']],
    });
    expect(Object.keys(errors).sort()).toEqual([
      'description',
      'headers',
      'name',
      'timeout_s',
      'url',
    ]);
  });

  it('builds the request body', () => {
    const body = toToolBody({
      ...fromTool(),
      name: 'lookup',
      description: 'd',
      url: 'https://example.com/x',
      headers: [
        ['X-A', '1'],
        ['', ''],
      ],
      timeout: '5',
    });
    expect(body).toMatchObject({ name: 'lookup', headers: { 'X-A': '1' }, timeout_s: 5 });
    expect(body.parameters).toMatchObject({ type: 'object' });
  });
});

describe('ToolForm', () => {
  it('shows the schema error under the editor and blocks submit', () => {
    const onSubmit = vi.fn();
    render(
      <ToolForm
        editor="textarea"
        initialValues={{
          ...fromTool(),
          name: 'lookup',
          description: 'Look things up',
          url: 'https://example.com/hook',
          parameters: '{"type": "array"}',
        }}
        onSubmit={onSubmit}
      />,
    );
    fireEvent.click(screen.getByTestId('save-tool'));
    expect(screen.getByText(/must be "object"/)).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Arguments the model must provide'), {
      target: { value: DEFAULT_PARAMETERS },
    });
    fireEvent.click(screen.getByTestId('save-tool'));
    expect(screen.queryByText(/must be "object"/)).not.toBeInTheDocument();
    expect(onSubmit).toHaveBeenCalledTimes(1);
  });

  it('shows API problems on their fields', () => {
    render(
      <ToolForm
        editor="textarea"
        serverErrors={{
          parameters: 'tool_parameters_invalid: bad schema',
          url: 'Host not allowed',
        }}
        onSubmit={vi.fn()}
      />,
    );
    expect(screen.getByText('tool_parameters_invalid: bad schema')).toBeInTheDocument();
    expect(screen.getByText('Host not allowed')).toBeInTheDocument();
  });
});
