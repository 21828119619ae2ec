/**
 * The dashboard's one stylesheet parses, and every rule stands at the top level or inside an
 * at-rule (@media, @supports): an unclosed brace would otherwise nest every later rule under the
 * one before it, and browsers silently ignore what no longer matches.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postcss from 'postcss';
import { REPO_ROOT } from '../support/repo.js';

const STYLESHEET = join(REPO_ROOT, 'apps', 'dashboard', 'app', 'globals.css');

describe('dashboard stylesheet', () => {
  it('parses, with no rule nested inside another rule', () => {
    const root = postcss.parse(readFileSync(STYLESHEET, 'utf8'), { from: STYLESHEET });
    const nested: string[] = [];
    let rules = 0;
    root.walkRules((rule) => {
      rules += 1;
      if (rule.parent?.type === 'rule') nested.push(`${rule.selector} (line ${rule.source?.start?.line ?? '?'}) inside ${(rule.parent as { selector: string }).selector}`);
    });
    assert.ok(rules > 100, `the stylesheet was read (${rules} rules)`);
    assert.deepEqual(nested, []);
  });

  it('would catch a rule left open', () => {
    assert.throws(() => postcss.parse('.a { color: red;\n.b { color: blue; }'), /Unclosed block/);
  });
});
