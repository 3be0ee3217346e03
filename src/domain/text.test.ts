import { describe, expect, it } from 'vitest';
import { hasUnstorableText, inspectInput, MAX_INPUT_DEPTH } from '#src/domain/text.ts';

const nestedArrays = (levels: number): unknown =>
  JSON.parse('['.repeat(levels) + ']'.repeat(levels));
const nestedObjects = (levels: number): unknown =>
  JSON.parse('{"a":'.repeat(levels) + '"x"' + '}'.repeat(levels));

describe('inspectInput', () => {
  it('the depth limit is 32 levels of arrays and objects', () => {
    expect(MAX_INPUT_DEPTH).toBe(32);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 1e308],
    ['a string', 'Acme \u{1F600} e\u0301'],
    ['an empty object', {}],
    ['a settings-like body', { value: { properties: [{ options: [{ label: 'A' }] }] } }],
  ])('%s is ok', (_name, value) => {
    expect(inspectInput(value)).toBe('ok');
  });

  it(`arrays and objects nested exactly ${MAX_INPUT_DEPTH} levels are ok`, () => {
    expect(inspectInput(nestedArrays(MAX_INPUT_DEPTH))).toBe('ok');
    expect(inspectInput(nestedObjects(MAX_INPUT_DEPTH))).toBe('ok');
  });

  it(`one level more (${MAX_INPUT_DEPTH + 1}) is too deep, for arrays, objects and a mix`, () => {
    expect(inspectInput(nestedArrays(MAX_INPUT_DEPTH + 1))).toBe('too_deep');
    expect(inspectInput(nestedObjects(MAX_INPUT_DEPTH + 1))).toBe('too_deep');
    expect(inspectInput({ a: [nestedObjects(MAX_INPUT_DEPTH - 1)] })).toBe('too_deep');
  });

  it('depth is counted along each path, not across siblings', () => {
    const wide = Array.from({ length: 1000 }, () => nestedArrays(MAX_INPUT_DEPTH - 1));
    expect(inspectInput(wide)).toBe('ok');
  });

  it('100,000 levels do not overflow the stack (no recursion): too deep', () => {
    expect(inspectInput(nestedArrays(100_000))).toBe('too_deep');
    expect(inspectInput(nestedObjects(100_000))).toBe('too_deep');
  });

  it.each([
    ['NUL in a string', { a: ['x\u0000'] }],
    ['NUL in a key', { 'a\u0000': 1 }],
    ['a lone high surrogate', ['\ud800']],
    ['a lone low surrogate', 'x\udc00'],
    ['a lone surrogate in a nested key', { a: { b: [{ '\udbff': 1 }] } }],
  ])('%s is unstorable', (_name, value) => {
    expect(inspectInput(value)).toBe('unstorable');
  });

  it('a surrogate pair is stored as it is', () => {
    expect(inspectInput({ '\ud83d\ude00': '\ud83d\ude00' })).toBe('ok');
  });
});

describe('hasUnstorableText', () => {
  it('finds unstorable text at any depth, without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + '"\\u0000"' + ']'.repeat(100_000)) as unknown;
    expect(hasUnstorableText(deep)).toBe(true);
    expect(hasUnstorableText(nestedArrays(100_000))).toBe(false);
  });
});
