import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synth } from './synth.js';

describe('cdk-nag AwsSolutions checks', () => {
  it('fail the synth on an unacknowledged finding', () => {
    const app = new App({ outdir: join(synth().outdir, 'negative') });
    new s3.Bucket(new Stack(app, 'Careless'), 'OpenBucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(
      /ERROR The S3 Bucket has server access logs disabled. \(AwsSolutions\)/,
    );
  });

  it('pass on the whole app, so it has no unacknowledged finding', () => {
    expect(() => synth()).not.toThrow();
  });

  it('are acknowledged only by exact finding, each with a specific reason', () => {
    const { app } = synth();
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.includes('AwsSolutions'));
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+(\[(Resource|Action)::.+\])?$/);
      // IAM5 (wildcards) must name the exact resource or action it waives.
      if (id.includes('IAM5')) expect(id).toContain('[');
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});
