'use client';

import { useState, type FormEvent } from 'react';
import {
  PRICE_FIELDS,
  dollarsToMicros,
  microsToDollars,
  validatePrice,
  type PriceField,
} from '@/lib/form-validation';
import { Badge, Card, DataTable, ErrorBanner, Notice, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Price = Schema<'PriceRead'>;
type Draft = { provider: string; model: string; values: Record<PriceField, string> };

const blank = (): Draft => ({
  provider: '',
  model: '',
  values: Object.fromEntries(PRICE_FIELDS.map(([k]) => [k, '0'])) as Record<PriceField, string>,
});

const fromPrice = (p: Price): Draft => ({
  provider: p.provider,
  model: p.model,
  values: Object.fromEntries(PRICE_FIELDS.map(([k]) => [k, microsToDollars(p[k])])) as Record<
    PriceField,
    string
  >,
});

/** The price table costs are computed with: platform defaults and this org's overrides. */
export function PriceTable({ isAdmin }: { isAdmin: boolean }) {
  const prices = useApi<Schema<'PriceList'>>('/usage/prices');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    setError(null);
    const found = validatePrice(draft.provider, draft.model, draft.values);
    setErrors(found);
    if (Object.keys(found).length) return;
    try {
      await api('/usage/prices', {
        method: 'PUT',
        json: {
          provider: draft.provider.trim(),
          model: draft.model.trim(),
          ...Object.fromEntries(PRICE_FIELDS.map(([k]) => [k, dollarsToMicros(draft.values[k])])),
        },
      });
      setNotice(`Price for ${draft.provider}/${draft.model} saved; it applies to new usage.`);
      setDraft(null);
      prices.reload();
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  async function remove(p: Price) {
    setError(null);
    try {
      await api(`/usage/prices/${p.id}`, { method: 'DELETE' });
      setNotice(`Override for ${p.provider}/${p.model} removed; the default applies again.`);
      prices.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Card
      title="Prices (USD)"
      testId="price-table"
      actions={
        isAdmin &&
        !draft && (
          <Button size="sm" variant="secondary" onClick={() => setDraft(blank())}>
            Add price
          </Button>
        )
      }
    >
      <div className={dash.stack}>
        <ErrorBanner error={error ?? prices.error} />
        {notice && <Notice tone="success">{notice}</Notice>}
        {draft && (
          <form className={dash.stack} onSubmit={(e) => void save(e)} noValidate>
            <div className={dash.grid3}>
              <TextField
                label="Provider"
                id="price-provider"
                value={draft.provider}
                error={errors.provider}
                onChange={(e) => setDraft({ ...draft, provider: e.target.value })}
              />
              <TextField
                label="Model"
                id="price-model"
                value={draft.model}
                error={errors.model}
                hint="* = every other model of the provider"
                onChange={(e) => setDraft({ ...draft, model: e.target.value })}
              />
              {PRICE_FIELDS.map(([key, label]) => (
                <TextField
                  key={key}
                  label={label}
                  id={`price-${key}`}
                  inputMode="decimal"
                  value={draft.values[key]}
                  error={errors[key]}
                  onChange={(e) =>
                    setDraft({ ...draft, values: { ...draft.values, [key]: e.target.value } })
                  }
                />
              ))}
            </div>
            <div className={dash.row}>
              <Button type="submit" data-testid="save-price">
                Save price
              </Button>
              <Button variant="ghost" onClick={() => setDraft(null)}>
                Cancel
              </Button>
            </div>
          </form>
        )}
        <DataTable
          columns={['Provider / model', ...PRICE_FIELDS.map(([, label]) => label)]}
          actions
        >
          {(prices.data?.items ?? []).map((p) => (
            <tr key={p.id} data-testid="price-row">
              <td>
                <span className={dash.mono}>
                  {p.provider}/{p.model}
                </span>{' '}
                <Badge tone={p.scope === 'organization' ? 'accent' : undefined}>{p.scope}</Badge>
              </td>
              {PRICE_FIELDS.map(([key]) => (
                <td key={key} className={dash.mono}>
                  {p[key] ? `$${microsToDollars(p[key])}` : '—'}
                </td>
              ))}
              <td>
                {isAdmin && (
                  <span className={dash.row} style={{ flexWrap: 'nowrap' }}>
                    <Button size="sm" variant="ghost" onClick={() => setDraft(fromPrice(p))}>
                      {p.scope === 'organization' ? 'Edit' : 'Override'}
                    </Button>
                    {p.scope === 'organization' && (
                      <Button size="sm" variant="ghost" onClick={() => void remove(p)}>
                        Remove
                      </Button>
                    )}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </div>
    </Card>
  );
}
