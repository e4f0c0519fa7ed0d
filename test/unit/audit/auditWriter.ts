// A child process for the cross-process rotation test: appends `count` audit records as `writer`
// through a FileAuditSink, as one VS Code window would. Args: file writer count maxBytes keep.
import { AuditTrail } from '../../../src/audit/auditTrail';
import { FileAuditSink } from '../../../src/audit/fileAuditSink';

async function main(): Promise<void> {
  const [file, writer, count, maxBytes, keep] = process.argv.slice(2);
  const trail = new AuditTrail(new FileAuditSink(file, Number(maxBytes), Number(keep)));
  // Both writers start together: the parent releases them through stdin.
  await new Promise((resolve) => process.stdin.once('data', resolve));
  for (let i = 0; i < Number(count); i++) {
    await trail.record({
      actor: { subject: writer },
      credential: 'local-cli',
      service: 'bigquery',
      action: 'query',
      resource: `${writer}/${i}`,
      outcome: 'succeeded',
    });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
