// Placeholder entry of the `stepship` command until the local cloud lands.
const command = process.argv[2] ?? 'start';
if (command === 'start') {
  console.log(
    [
      'stepship start: a local deployment on the embedded local cloud (in progress).',
      'It will: synthesize the CDK app, start the local cloud on http://127.0.0.1:4566,',
      'provision from the template, bring the service up behind http://127.0.0.1:8080/,',
      'and run a deployment through the state machine.',
    ].join('\n'),
  );
} else {
  console.error(`stepship: unknown command "${command}"`);
  process.exitCode = 2;
}
