import { useEffect, useId, useMemo, useRef, useState, type SubmitEvent } from 'react';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { CheckboxField, Field } from '#src/web/components/ui/field.tsx';
import { EmptyState } from '#src/web/components/ui/states.tsx';
import { FormErrors, FormFooter } from '#src/web/features/settings/components/form-footer.tsx';
import { JsonCategoryEditor } from '#src/web/features/settings/components/json-category-editor.tsx';
import { useReadOnly } from '#src/web/features/settings/components/read-only.ts';
import {
  errorUnder,
  lines,
  validateCategory,
  type FieldErrors,
} from '#src/web/features/settings/hooks/use-category-validation.ts';

/** One item of a list category, as stored (a stage, a template…). */
export type ListItem = Record<string, unknown>;

export interface Choice {
  value: string;
  label: string;
}

/** How one field of an item is edited. */
export type FieldControl =
  /** `optional`: left blank, the field is left out of the item (a stage with no HubSpot ID). */
  | { type: 'text'; placeholder?: string; optional?: boolean }
  | { type: 'textarea'; rows: number }
  | { type: 'number'; min: number; max: number }
  | { type: 'select'; options: readonly Choice[] }
  | { type: 'checkbox'; description?: string }
  | { type: 'checkboxes'; options: readonly Choice[] }
  /** `{ label, value }[]`, one option a line: "Label = value" ("Label" alone: the same value). */
  | { type: 'options' }
  /** `string[]`, one entry a line. */
  | { type: 'lines'; rows: number };

export interface ListField {
  /** Where the field sits in an item, as the schema's issues name it ("appliesTo.minAttendees"). */
  path: string;
  label: string;
  hint?: string;
  control: FieldControl;
  /** Spans the whole row (long text). */
  wide?: boolean;
}

/** One list of a category's value (its stages, its templates…) as the editor edits it. */
export interface ListConfig {
  /** The list inside the category value ("stages"); the value's other keys are kept as they are. */
  listKey: string;
  /** What one item is called, as the validation messages count them ("Stage" → "Stage 3"). */
  noun: string;
  /** The field that names an item in its buttons: "Move Stage 'Qualified' up". */
  namePath: string;
  addLabel: string;
  emptyTitle: string;
  fields: readonly ListField[];
  newItem: (items: readonly ListItem[]) => ListItem;
  /** Badges shown beside an item's heading ("Synced"). */
  badges?: (item: ListItem) => string[];
  /** Applied to the list before it is validated, e.g. a stage's `order` is its position. */
  arrange?: (items: ListItem[]) => ListItem[];
}

/** A list category as the generic editor edits it (list-editor-fields.ts has the four). */
export interface ListCategoryConfig extends ListConfig {
  categoryKey: ValueCategoryKey;
  /**
   * Further lists of the same value, edited in the same form and saved with it, each under its
   * heading (Pipeline stages: its Salesforce record types).
   */
  more?: readonly (ListConfig & { heading: string })[];
}

type Draft = string | boolean | string[];

interface Row {
  uid: number;
  /** The item as it was: fields the form does not show are saved unchanged. */
  base: ListItem;
  draft: Record<string, Draft>;
}

function getPath(item: unknown, path: string): unknown {
  let at: unknown = item;
  for (const segment of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

/** `value` undefined leaves the field out. */
function setPath(item: ListItem, path: string, value: unknown): ListItem {
  const [head = '', ...rest] = path.split('.');
  if (rest.length === 0) {
    if (value !== undefined) return { ...item, [head]: value };
    return Object.fromEntries(Object.entries(item).filter(([key]) => key !== head));
  }
  const inner = item[head];
  const child = typeof inner === 'object' && inner !== null ? (inner as ListItem) : {};
  return { ...item, [head]: setPath(child, rest.join('.'), value) };
}

function toDraft(control: FieldControl, value: unknown): Draft {
  switch (control.type) {
    case 'checkbox':
      return value === true;
    case 'checkboxes':
      return Array.isArray(value) ? value.map(String) : [];
    case 'options':
      return Array.isArray(value)
        ? (value as { label?: unknown; value?: unknown }[])
            .map((o) => {
              const label = typeof o.label === 'string' ? o.label : '';
              const optionValue = typeof o.value === 'string' ? o.value : '';
              return label === optionValue ? label : `${label} = ${optionValue}`;
            })
            .join('\n')
        : '';
    case 'lines':
      return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'text':
    case 'textarea':
    case 'number':
    case 'select':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  }
}

function fromDraft(control: FieldControl, draft: Draft): unknown {
  switch (control.type) {
    case 'checkbox':
      return draft === true;
    case 'checkboxes': {
      const picked = Array.isArray(draft) ? draft : [];
      return control.options.map((o) => o.value).filter((v) => picked.includes(v));
    }
    case 'lines':
      return lines(typeof draft === 'string' ? draft : '');
    case 'options':
      return lines(typeof draft === 'string' ? draft : '').map((line) => {
        const at = line.lastIndexOf('=');
        if (at < 0) return { label: line, value: line };
        return { label: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
      });
    case 'number': {
      const text = typeof draft === 'string' ? draft.trim() : '';
      // Empty is not a number: the schema says so under the field (as the other forms do).
      return text === '' ? Number.NaN : Number(text);
    }
    case 'text': {
      const text = typeof draft === 'string' ? draft : '';
      return control.optional && text.trim() === '' ? undefined : text;
    }
    case 'textarea':
    case 'select':
      return typeof draft === 'string' ? draft : '';
  }
}

function rowOf(config: ListConfig, item: ListItem, uid: number): Row {
  const draft: Record<string, Draft> = {};
  for (const field of config.fields)
    draft[field.path] = toDraft(field.control, getPath(item, field.path));
  return { uid, base: item, draft };
}

function itemOf(config: ListConfig, row: Row): ListItem {
  let item = row.base;
  for (const field of config.fields) {
    item = setPath(item, field.path, fromDraft(field.control, row.draft[field.path] ?? ''));
  }
  return item;
}

function listOf(value: unknown, listKey: string): ListItem[] {
  const list = getPath(value, listKey);
  return Array.isArray(list) ? (list as ListItem[]) : [];
}

/** The category value with each list's items as `rowsOf` gives them (arranged, e.g. stage order). */
function valueWith(
  initial: unknown,
  lists: readonly ListConfig[],
  rowsOf: (list: ListConfig) => Row[],
): Record<string, unknown> {
  const value: Record<string, unknown> = { ...(initial as Record<string, unknown>) };
  for (const list of lists) {
    const items = rowsOf(list).map((row) => itemOf(list, row));
    value[list.listKey] = list.arrange ? list.arrange(items) : items;
  }
  return value;
}

/** Rows of every list of the value, by list key. */
type RowsByList = Record<string, Row[]>;

/**
 * A list category edited as a form (issue 14 §5): one row per item with its fields as inputs;
 * add, remove and reorder with buttons named after the item; validated with the category's own
 * schema on save, each message under its field. A category with more than one list (Pipeline
 * stages and their Salesforce record types) edits them all in the one form. The raw JSON stays
 * one toggle away. Saves go through `onSave`, the same path (request, version conflict) as the
 * JSON editor.
 */
export function ListEditor({
  config,
  label,
  initial,
  saving,
  onSave,
}: {
  config: ListCategoryConfig;
  label: string;
  initial: unknown;
  saving: boolean;
  onSave: (value: unknown) => void;
}) {
  const id = useId();
  const nextUid = useRef(0);
  const lists: readonly (ListConfig & { heading?: string })[] = useMemo(
    () => [config, ...(config.more ?? [])],
    [config],
  );
  const rowsOf = (value: unknown): RowsByList =>
    Object.fromEntries(
      lists.map((list) => [
        list.listKey,
        listOf(value, list.listKey).map((item) => rowOf(list, item, nextUid.current++)),
      ]),
    );
  const [rows, setRows] = useState<RowsByList>(() => rowsOf(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const [json, setJson] = useState(false);
  const readOnly = useReadOnly();
  const [focusTarget, setFocusTarget] = useState<string | null>(null);

  const initialValue = useMemo(
    () =>
      JSON.stringify(
        valueWith(initial, lists, (list) =>
          listOf(initial, list.listKey).map((item) => rowOf(list, item, 0)),
        ),
      ),
    [lists, initial],
  );
  const valueOf = (all: RowsByList) => valueWith(initial, lists, (list) => all[list.listKey] ?? []);
  const current = valueOf(rows);
  const dirty = JSON.stringify(current) !== initialValue;

  // A moved row keeps focus on the button that moved it (React may re-insert its element).
  useEffect(() => {
    if (focusTarget === null) return;
    setFocusTarget(null);
    const find = (key: string) =>
      document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    const element = find(focusTarget);
    if (element instanceof HTMLButtonElement && element.disabled) {
      // Moved to an end: its other button is the one still usable.
      const other = focusTarget.endsWith('-up')
        ? focusTarget.replace(/-up$/, '-down')
        : focusTarget.replace(/-down$/, '-up');
      find(other)?.focus();
    } else {
      element?.focus();
    }
  }, [focusTarget]);

  const nameOf = (list: ListConfig, row: Row, index: number) => {
    const name = row.draft[list.namePath];
    return typeof name === 'string' && name.trim() !== ''
      ? `${list.noun} '${name.trim()}'`
      : `${list.noun} ${index + 1}`;
  };

  const setList = (list: ListConfig, next: Row[]) => {
    setRows((all) => ({ ...all, [list.listKey]: next }));
  };

  const update = (list: ListConfig, uid: number, path: string, draft: Draft) => {
    setRows((all) => ({
      ...all,
      [list.listKey]: (all[list.listKey] ?? []).map((row) =>
        row.uid === uid ? { ...row, draft: { ...row.draft, [path]: draft } } : row,
      ),
    }));
  };

  const move = (list: ListConfig, index: number, by: -1 | 1) => {
    const listRows = rows[list.listKey] ?? [];
    const row = listRows[index];
    const to = index + by;
    if (!row || to < 0 || to >= listRows.length) return;
    const next = [...listRows];
    next.splice(index, 1);
    next.splice(to, 0, row);
    setList(list, next);
    setAnnouncement(
      `${nameOf(list, row, index)} moved to position ${to + 1} of ${listRows.length}.`,
    );
    setFocusTarget(`${id}-${row.uid}-${by < 0 ? 'up' : 'down'}`);
  };

  const remove = (list: ListConfig, index: number) => {
    const listRows = rows[list.listKey] ?? [];
    const row = listRows[index];
    if (!row) return;
    setList(
      list,
      listRows.filter((r) => r.uid !== row.uid),
    );
    // Messages count rows by position: after a removal they no longer point at the right one.
    setErrors({});
    setMessages([]);
    setAnnouncement(`${nameOf(list, row, index)} removed. Save changes to keep it removed.`);
    setFocusTarget(`${id}-${list.listKey}-add`);
  };

  const add = (list: ListConfig) => {
    const listRows = rows[list.listKey] ?? [];
    const row = rowOf(list, list.newItem(listRows.map((r) => itemOf(list, r))), nextUid.current++);
    setList(list, [...listRows, row]);
    setAnnouncement(`${list.noun} ${listRows.length + 1} added.`);
    const first = list.fields[0];
    if (first) setFocusTarget(`${id}-${row.uid}-${first.path}`);
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = validateCategory(config.categoryKey, current);
    if (!result.ok) {
      setErrors(result.errors);
      setMessages(result.messages);
      return;
    }
    setErrors({});
    setMessages([]);
    onSave(result.value);
  };

  // Read-only (locked by your admin): nothing to edit, as JSON or otherwise.
  const toggle = readOnly ? null : (
    <div className="section-actions">
      <Button
        size="sm"
        variant="ghost"
        aria-pressed={json}
        onClick={() => {
          setJson(!json);
        }}
      >
        Advanced: edit as JSON
      </Button>
    </div>
  );

  if (json) {
    return (
      <div className="stack">
        {toggle}
        <JsonCategoryEditor
          categoryKey={config.categoryKey}
          label={label}
          initial={current}
          saved={initial}
          saving={saving}
          onSave={onSave}
          onCancel={() => {
            setJson(false);
          }}
        />
      </div>
    );
  }

  const section = (list: ListConfig & { heading?: string }) => {
    const listRows = rows[list.listKey] ?? [];
    const headingId = `${id}-${list.listKey}-heading`;
    return (
      <section
        key={list.listKey}
        className="stack"
        aria-labelledby={list.heading ? headingId : undefined}
      >
        {list.heading ? (
          <h2 id={headingId} className="list-editor-heading">
            {list.heading}
          </h2>
        ) : null}
        {listRows.length === 0 ? <EmptyState title={list.emptyTitle} /> : null}
        <ol className="list-editor" aria-label={list.heading ?? label}>
          {listRows.map((row, index) => {
            const name = nameOf(list, row, index);
            const heading = row.draft[list.namePath];
            const at = (path: string) => `${list.listKey}.${index}.${path}`;
            const controlId = (path: string) => `${id}-${row.uid}-${path}`;
            return (
              <li key={row.uid} className="list-editor-item">
                <fieldset className="list-editor-row">
                  <legend className="list-editor-legend">
                    {list.noun} {index + 1}
                    {typeof heading === 'string' && heading.trim() !== '' ? (
                      <span className="list-editor-name"> · {heading.trim()}</span>
                    ) : null}
                    {(list.badges?.(row.base) ?? []).map((badge) => (
                      <Badge key={badge} tone="info">
                        {badge}
                      </Badge>
                    ))}
                  </legend>
                  <div className="form-grid">
                    {list.fields.map((field) => (
                      <FieldInput
                        key={field.path}
                        field={field}
                        focusKey={controlId(field.path)}
                        value={row.draft[field.path] ?? ''}
                        error={errorUnder(errors, at(field.path))}
                        onChange={(draft) => {
                          update(list, row.uid, field.path, draft);
                        }}
                      />
                    ))}
                  </div>
                  {errors[`${list.listKey}.${index}`] ? (
                    <p className="field-error">{errors[`${list.listKey}.${index}`]}</p>
                  ) : null}
                  <div className="list-editor-actions">
                    <Button
                      size="sm"
                      data-focus-key={`${id}-${row.uid}-up`}
                      aria-label={`Move ${name} up`}
                      disabled={index === 0}
                      onClick={() => {
                        move(list, index, -1);
                      }}
                    >
                      <span aria-hidden="true">↑</span> Up
                    </Button>
                    <Button
                      size="sm"
                      data-focus-key={`${id}-${row.uid}-down`}
                      aria-label={`Move ${name} down`}
                      disabled={index === listRows.length - 1}
                      onClick={() => {
                        move(list, index, 1);
                      }}
                    >
                      <span aria-hidden="true">↓</span> Down
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove ${name}`}
                      onClick={() => {
                        remove(list, index);
                      }}
                    >
                      Remove
                    </Button>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
        <div>
          <Button
            data-focus-key={`${id}-${list.listKey}-add`}
            onClick={() => {
              add(list);
            }}
          >
            {list.addLabel}
          </Button>
        </div>
      </section>
    );
  };

  return (
    <div className="stack">
      {toggle}
      <form onSubmit={submit} noValidate className="form">
        <FormErrors messages={messages} />
        {lists.map(section)}
        <p className="sr-only" aria-live="polite">
          {announcement}
        </p>
        <FormFooter
          dirty={dirty}
          saving={saving}
          onDiscard={() => {
            setRows(rowsOf(initial));
            setErrors({});
            setMessages([]);
          }}
        />
      </form>
    </div>
  );
}

function FieldInput({
  field,
  focusKey,
  value,
  error,
  onChange,
}: {
  field: ListField;
  /** Lets focus follow a row that was added or moved. */
  focusKey: string;
  value: Draft;
  error: string | undefined;
  onChange: (value: Draft) => void;
}) {
  const control = field.control;
  const text = typeof value === 'string' ? value : '';
  const wide =
    field.wide === true ||
    control.type === 'textarea' ||
    control.type === 'options' ||
    control.type === 'lines';
  const errorId = `${focusKey}-error`;

  if (control.type === 'checkbox') {
    return (
      <div className={`list-editor-field${error ? ' field-invalid' : ''}`}>
        <CheckboxField
          label={field.label}
          description={control.description ?? field.hint}
          checked={value === true}
          onChange={onChange}
        />
        {error ? <p className="field-error">{error}</p> : null}
      </div>
    );
  }

  if (control.type === 'checkboxes') {
    const picked = Array.isArray(value) ? value : [];
    return (
      <fieldset
        className={`field list-editor-wide${error ? ' field-invalid' : ''}`}
        aria-describedby={error ? errorId : undefined}
      >
        <legend className="field-label">{field.label}</legend>
        {field.hint ? <p className="field-hint">{field.hint}</p> : null}
        <div className="inline-checks">
          {control.options.map((option) => (
            <CheckboxField
              key={option.value}
              label={option.label}
              checked={picked.includes(option.value)}
              onChange={(checked) => {
                onChange(
                  checked
                    ? [...picked, option.value]
                    : picked.filter((picked) => picked !== option.value),
                );
              }}
            />
          ))}
        </div>
        {error ? (
          <p id={errorId} className="field-error">
            {error}
          </p>
        ) : null}
      </fieldset>
    );
  }

  return (
    <div className={wide ? 'list-editor-wide' : undefined}>
      <Field label={field.label} hint={field.hint} error={error}>
        {(props) => {
          const shared = { ...props, 'data-focus-key': focusKey };
          switch (control.type) {
            case 'select':
              return (
                <select
                  {...shared}
                  value={text}
                  onChange={(event) => {
                    onChange(event.target.value);
                  }}
                >
                  {control.options.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              );
            case 'textarea':
            case 'options':
            case 'lines':
              return (
                <textarea
                  {...shared}
                  rows={control.type === 'options' ? 4 : control.rows}
                  className={control.type === 'options' ? 'code' : undefined}
                  value={text}
                  onChange={(event) => {
                    onChange(event.target.value);
                  }}
                />
              );
            case 'number':
              return (
                <input
                  {...shared}
                  type="number"
                  inputMode="numeric"
                  min={control.min}
                  max={control.max}
                  value={text}
                  onChange={(event) => {
                    onChange(event.target.value);
                  }}
                />
              );
            case 'text':
              return (
                <input
                  {...shared}
                  type="text"
                  placeholder={control.placeholder}
                  value={text}
                  onChange={(event) => {
                    onChange(event.target.value);
                  }}
                />
              );
          }
        }}
      </Field>
    </div>
  );
}
