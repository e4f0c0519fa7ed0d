// dbt errors as problems, from what real dbt (1.11, dbt-duckdb) wrote for the demo project with a
// broken model and a failing test added (fixtures/real-dbt): file and line of each problem, the
// failing rows of a failed test, parse errors before anything ran, and hostile log lines.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanText, dbtDiagnostics, readDbtJsonLog, type DbtLogEvent } from '../../../src/dbt/dbtDiagnostics';
import { loadManifest, type DbtProjectIndex } from '../../../src/dbt/manifest';
import { parseRunResults, type DbtRunResults } from '../../../src/dbt/runResults';

const FIXTURES = path.join(__dirname, 'fixtures', 'real-dbt');
const DEMO = path.join(__dirname, '../../sandbox/demo-workspace/jaffle_gatehouse');

/** Project files as the fixture run saw them: the demo project plus the two files it added. */
function readSource(file: string): string | undefined {
  for (const dir of [path.join(FIXTURES, 'project'), DEMO]) {
    try {
      return readFileSync(path.join(dir, file), 'utf8');
    } catch {
      // next folder
    }
  }
  return undefined;
}

describe('dbt problems from real dbt output', () => {
  let index: DbtProjectIndex;
  let results: DbtRunResults;
  const fileOf = (id: string) => index.getNode(id)?.originalFilePath;

  before(async () => {
    index = await loadManifest(path.join(FIXTURES, 'build-failing.manifest.json'));
    results = await parseRunResults(path.join(FIXTURES, 'build-failing.run_results.json'));
  });

  it('reads the JSON log of the last invocation', () => {
    const events = readDbtJsonLog(readFileSync(path.join(FIXTURES, 'build-failing.dbt.log'), 'utf8'));
    assert.ok(events.length > 20);
    assert.equal(new Set(events.map((e) => e.invocationId)).size, 1);
    const older = events.map((e) => JSON.stringify({ data: e.data, info: { name: e.name, level: e.level, msg: e.msg, invocation_id: 'older-run' } }));
    const both = readDbtJsonLog(`${older.join('\n')}\nnot json\n{"broken": \n${readFileSync(path.join(FIXTURES, 'build-failing.dbt.log'), 'utf8')}`);
    assert.deepEqual(both, events, 'lines of an earlier run and garbage are left out');
  });

  it('puts the broken model at its file and the line its SQL error quotes, and the failed test with its failing rows', () => {
    const events = readDbtJsonLog(readFileSync(path.join(FIXTURES, 'build-failing.dbt.log'), 'utf8'));
    const problems = dbtDiagnostics({ events, runResults: results, fileOf, readSource });
    const table = problems.map((p) => [p.uniqueId, p.file, p.line, p.severity]);
    assert.deepEqual(table, [
      // LINE 15 of dbt's DDL is line 6 (0-based 5) of the model file: "wher amount > 100".
      ['model.jaffle_gatehouse.broken_orders', 'models/marts/broken_orders.sql', 5, 'error'],
      ['test.jaffle_gatehouse.assert_no_cancelled_orders', 'tests/assert_no_cancelled_orders.sql', 0, 'error'],
    ]);
    assert.match(problems[0].message, /Parser Error: syntax error at or near "amount"/);
    assert.match(problems[1].message, /assert_no_cancelled_orders failed with 1547 failing rows/);
    assert.ok(problems.every((p) => !p.message.includes('\u001b')), 'no terminal colours');
  });

  it('falls back to run_results.json when there is no JSON log', () => {
    const problems = dbtDiagnostics({ events: [], runResults: results, fileOf, readSource });
    assert.deepEqual(problems.map((p) => [p.file, p.line]), [['models/marts/broken_orders.sql', 5], ['tests/assert_no_cancelled_orders.sql', 0]]);
    assert.match(problems[1].message, /1547 failing rows/);
  });

  it('places a generic test that failed at its entry in the yml', () => {
    const node = index.nodes().find((n) => n.uniqueId.startsWith('test.jaffle_gatehouse.accepted_values_stg_orders_status'));
    assert.ok(node, 'the demo has the generic test');
    const fake: DbtRunResults = { results: new Map([[node.uniqueId, { uniqueId: node.uniqueId, status: 'fail', rawStatus: 'fail', failures: 2, message: 'Got 2 results, configured to fail if != 0', timing: [] }]]), warnings: [] };
    const [p] = dbtDiagnostics({ events: [], runResults: fake, fileOf, readSource });
    assert.equal(p.file, 'models/staging/_staging.yml');
    const lines = readSource(p.file)!.split('\n');
    assert.match(lines[p.line], /- accepted_values:/);
    assert.match(lines.slice(0, p.line).reverse().find((l) => /- name:/.test(l)) ?? '', /name: status/, 'under the status column');
    assert.match(p.message, /2 failing rows/);
  });

  it('reports a parse error before anything ran at the file it names', () => {
    const events = readDbtJsonLog(readFileSync(path.join(FIXTURES, 'parse-error.dbt.log'), 'utf8'));
    const problems = dbtDiagnostics({ events, fileOf, readSource });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].file, 'models/marts/ref_broken.sql');
    assert.match(problems[0].message, /depends on a node named 'nope' which was not found/);
  });

  it('uses the Jinja line of a compilation error, and dbt_project.yml when no file is named', () => {
    const event = (exc: string): DbtLogEvent => ({ name: 'MainEncounteredError', level: 'error', msg: `Encountered an error:\n${exc}`, data: { exc } });
    const jinja = "Compilation Error in model jinja_broken (models/marts/jinja_broken.sql)\n  unexpected '}', expected ')'\n    line 4\n      select {{ missing_macro( }} as a";
    const noFile = 'Runtime Error\n  Could not find profile named \'jaffle_gatehouse\'';
    const problems = dbtDiagnostics({ events: [event(jinja), event(noFile)], fileOf, readSource });
    assert.deepEqual(problems.map((p) => [p.file, p.line]), [['models/marts/jinja_broken.sql', 3], ['dbt_project.yml', 0]]);
  });

  it('treats log text as text: clipped, escapes stripped, paths outside the project not taken from it', () => {
    assert.equal(cleanText('\u001b[31mFailure\u001b[0m in x'), 'Failure in x');
    assert.equal(cleanText('x'.repeat(5000)).length, 2001);
    const sneaky: DbtLogEvent = { name: 'MainEncounteredError', level: 'error', msg: '', data: { exc: 'Compilation Error in model a (../../etc/passwd.sql)' } };
    const [p] = dbtDiagnostics({ events: [sneaky], fileOf, readSource });
    assert.equal(p.file, 'dbt_project.yml');
    const absolute = dbtDiagnostics({ events: [], runResults: { results: new Map([['model.x.y', { uniqueId: 'model.x.y', status: 'error', rawStatus: 'error', timing: [] }]]), warnings: [] }, fileOf: () => '/etc/passwd', readSource });
    assert.equal(absolute[0].file, 'dbt_project.yml');
  });
});
