// Metabase questions with parameters: kinds, values checked as text/number/date, the request's
// `parameters: [{id, type, target, value}]`; the sandbox's template-tag substitution (defaults,
// optional clauses, required tags, bound values); and a question run with a parameter against the
// sandbox, its rows equal to the warehouse's.
import * as assert from 'node:assert/strict';
import { AxiosHttpClient } from '../../../src/core/http';
import { MetabaseClient } from '../../../src/metabase/client';
import { ApiKeyCredentials } from '../../../src/metabase/credentials';
import { MetabaseError } from '../../../src/metabase/errors';
import { encodeParameters, parameterDefault, parameterKind, parameterValueProblem, questionParameters, type CardParameter } from '../../../src/metabase/parameters';
import { substituteTemplateTags } from '../../sandbox/metabase/dataset';
import { METABASE_API_KEY } from '../../sandbox/metabase';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { MemorySecret } from '../support/secrets';

const tag = (slug: string) => ['variable', ['template-tag', slug]];

describe('Metabase question parameters (plain)', () => {
  const kinds: Array<[string, string]> = [
    ['category', 'text'],
    ['string/=', 'text'],
    ['number/=', 'number'],
    ['number/between', 'number'],
    ['date/single', 'date'],
    ['date/all-options', 'date'],
    ['id', 'text'],
  ];
  for (const [type, kind] of kinds) it(`${type} is asked as ${kind}`, () => assert.equal(parameterKind(type), kind));

  const values: Array<[string, string, string, boolean]> = [
    ['text', 'category', '<script>x</script>', true],
    ['text', 'category', 'two\nlines', false],
    ['number', 'number/=', '42.5', true],
    ['number', 'number/=', '-3', true],
    ['number', 'number/=', '4 2', false],
    ['number', 'number/=', 'ten', false],
    ['date', 'date/single', '2026-02-28', true],
    ['date', 'date/single', '2026-02-30', false],
    ['date', 'date/single', '28/02/2026', false],
    ['date', 'date/all-options', 'past30days', true],
    ['number', 'number/=', '', true],
  ];
  for (const [kind, type, value, ok] of values) {
    it(`${type} ${JSON.stringify(value)} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(parameterValueProblem(kind as 'text', type, value) === undefined, ok));
  }

  it('encodes values by kind: numbers as numbers, field filters as lists, empty values left out (the default applies)', () => {
    const params: CardParameter[] = [
      { id: 'a', type: 'category', target: tag('status') },
      { id: 'b', type: 'number/=', target: tag('min') },
      { id: 'c', type: 'date/single', target: tag('since') },
      { id: 'd', type: 'string/=', target: ['dimension', ['template-tag', 'country']] },
      { id: 'e', type: 'category', target: tag('unused') },
    ];
    const out = encodeParameters(params, new Map([['a', 'shipped'], ['b', ' 100 '], ['c', '2026-01-01'], ['d', 'FR'], ['e', '  ']]));
    assert.deepEqual(out, [
      { id: 'a', type: 'category', target: tag('status'), value: 'shipped' },
      { id: 'b', type: 'number/=', target: tag('min'), value: 100 },
      { id: 'c', type: 'date/single', target: tag('since'), value: '2026-01-01' },
      { id: 'd', type: 'string/=', target: ['dimension', ['template-tag', 'country']], value: ['FR'] },
    ]);
  });

  it('reads only well-formed parameters and shows their defaults as text', () => {
    const params = questionParameters({ parameters: [{ id: 'a', type: 'category', default: 'x' }, { type: 'category' }, 'junk', { id: 'b', type: 'number/=', default: [5] }, { id: 'c', type: 'category', default: { evil: 1 } }] });
    assert.deepEqual(params.map((p) => `${p.id}=${parameterDefault(p)}`), ['a=x', 'b=5', 'c=']);
    assert.deepEqual(questionParameters({}), []);
  });
});

describe('sandbox Metabase template tags', () => {
  const tags = [
    { id: 't1', slug: 'since', tag: 'date' as const, required: true },
    { id: 't2', slug: 'status', tag: 'text' as const, default: 'completed' },
    { id: 't3', slug: 'min', tag: 'number' as const },
  ];
  const sql = 'SELECT 1 WHERE d >= {{since}} [[AND s = {{status}}]] [[AND a >= {{min}}]]';

  it('binds values, applies defaults and drops optional clauses without a value', () => {
    const r = substituteTemplateTags(sql, tags, [{ id: 't1', value: '2026-01-01' }]);
    assert.deepEqual(r, { ok: true, sql: 'SELECT 1 WHERE d >= @mb_since AND s = @mb_status ', params: { mb_since: '2026-01-01', mb_status: 'completed' } });
  });

  it('takes values by target as well as by id, lists as their first value, and never splices text into the SQL', () => {
    const r = substituteTemplateTags(sql, tags, [{ target: tag('since'), value: ['2026-01-01'] }, { id: 't2', value: "x' OR '1'='1" }, { id: 't3', value: 5 }]);
    assert.ok(r.ok);
    assert.equal(r.sql, 'SELECT 1 WHERE d >= @mb_since AND s = @mb_status AND a >= @mb_min');
    assert.deepEqual(r.params, { mb_since: '2026-01-01', mb_status: "x' OR '1'='1", mb_min: 5 });
  });

  it('fails as Metabase does: a required tag without a value, a value of the wrong type', () => {
    assert.deepEqual(substituteTemplateTags(sql, tags, []), { ok: false, errorType: 'missing-required-parameter', message: "You'll need to pick a value for 'since' before this query can run." });
    const bad = substituteTemplateTags(sql, tags, [{ id: 't1', value: '2026-01-01' }, { id: 't3', value: 'many' }]);
    assert.equal(bad.ok === false && bad.errorType, 'invalid-parameter');
  });
});

describe('Metabase questions with parameters against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let client: MetabaseClient;

  before(async () => {
    sandbox = await startSandbox({ services: ['metabase'], largeTableRows: 10_000 });
    client = new MetabaseClient({ http: new AxiosHttpClient(), baseUrl: sandbox.urls.metabase, credentials: new ApiKeyCredentials(new MemorySecret(METABASE_API_KEY)) });
  });
  after(async () => sandbox?.close());

  it('serves the question’s parameters as GET /api/card/:id does (template tags → parameters)', async () => {
    const card = await client.card(10);
    assert.deepEqual(questionParameters(card).map((p) => `${p.slug}:${p.type}:${JSON.stringify(p.target)}:${parameterDefault(p)}:${p.required ?? false}`), [
      'since:date/single:["variable",["template-tag","since"]]:2000-01-01:true',
      'status:category:["variable",["template-tag","status"]]:completed:false',
      'min_amount:number/=:["variable",["template-tag","min_amount"]]::false',
    ]);
  });

  it('runs with the values sent: rows equal to the warehouse’s for the same filter; defaults without them', async () => {
    const params = questionParameters(await client.card(10));
    const byName = new Map(params.map((p) => [p.slug, p.id]));
    const sent = encodeParameters(params, new Map([[byName.get('status')!, 'shipped'], [byName.get('min_amount')!, '150']]));
    const result = await client.runCard(10, undefined, sent);
    const orders = '`gatehouse-demo.analytics.orders`';
    const want = await sandbox.ctx.warehouse.query(`SELECT status, COUNT(*) AS orders, SUM(amount) AS revenue FROM ${orders} WHERE status = 'shipped' AND amount >= 150 GROUP BY status`);
    assert.equal(result.rows.length, 1);
    assert.deepEqual(result.rows[0].slice(0, 2), [String(want.rows[0][0]), String(Number(want.rows[0][1]))]);
    const defaults = await client.runCard(10);
    assert.deepEqual(defaults.rows.map((r) => r[0]), ['completed'], 'the Status default applies when nothing is sent');
  });

  it('reports a parameter Metabase refuses as a failed query with its error type', async () => {
    const params = questionParameters(await client.card(10));
    const since = params.find((p) => p.slug === 'since')!;
    await assert.rejects(client.runCard(10, undefined, [{ id: since.id, type: since.type, target: since.target, value: 'not a date' }]), (e: unknown) => MetabaseError.is(e, 'queryFailed') && e.errorType === 'invalid-parameter');
  });
});
