import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataTable } from './kit';

describe('DataTable', () => {
  it('renders the column headers, an unlabelled actions column and the body rows', () => {
    render(
      <DataTable columns={['Name', 'Role']} actions testId="people">
        <tr data-testid="row">
          <td>Ada</td>
          <td>admin</td>
          <td>
            <button type="button">Remove</button>
          </td>
        </tr>
      </DataTable>,
    );
    const table = screen.getByTestId('people');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent)).toEqual(['Name', 'Role', '']);
    expect(headers[2]).toHaveAttribute('aria-label', 'Actions');
    expect(within(screen.getByTestId('row')).getByText('Ada')).toBeInTheDocument();
  });

  it('has no actions column unless asked', () => {
    render(
      <DataTable columns={['Metric']}>
        <tr>
          <td>latency</td>
        </tr>
      </DataTable>,
    );
    expect(screen.getAllByRole('columnheader')).toHaveLength(1);
  });
});
