import { describe, expect, it } from '@jest/globals';
import { type Environment, resolve, UnresolvableError } from '../../local/provision/intrinsics.js';

const env: Environment = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'Stepship-web-Pipeline',
  refs: { Table: 'stepship-web-deployments', Fn: 'prepare-fn' },
  attributes: { Fn: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:prepare-fn' } },
  exports: { 'Stepship-web-Service:RepoUri': '000000000000.dkr.ecr.us-east-1.localhost/web' },
};

describe('CloudFormation intrinsics', () => {
  it.each<[string, unknown, unknown]>([
    ['Ref to a resource', { Ref: 'Table' }, 'stepship-web-deployments'],
    ['Ref to a pseudo parameter', { Ref: 'AWS::Region' }, 'us-east-1'],
    [
      'Fn::GetAtt in list form',
      { 'Fn::GetAtt': ['Fn', 'Arn'] },
      'arn:aws:lambda:us-east-1:000000000000:function:prepare-fn',
    ],
    [
      'Fn::GetAtt in dotted form',
      { 'Fn::GetAtt': 'Fn.Arn' },
      'arn:aws:lambda:us-east-1:000000000000:function:prepare-fn',
    ],
    [
      'Fn::Join over nested intrinsics',
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x/', { Ref: 'Table' }]] },
      'arn:aws:x/stepship-web-deployments',
    ],
    [
      'Fn::Sub with pseudo, refs, attributes and variables',
      { 'Fn::Sub': ['${AWS::AccountId}/${Table}/${Fn.Arn}/${v}/${!Literal}', { v: { Ref: 'Fn' } }] },
      '000000000000/stepship-web-deployments/arn:aws:lambda:us-east-1:000000000000:function:prepare-fn/prepare-fn/${Literal}',
    ],
    ['Fn::Select over Fn::GetAZs', { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }, 'us-east-1b'],
    ['Fn::Select over Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
    [
      'Fn::ImportValue',
      { 'Fn::ImportValue': 'Stepship-web-Service:RepoUri' },
      '000000000000.dkr.ecr.us-east-1.localhost/web',
    ],
    [
      'plain objects, recursively',
      { a: [{ Ref: 'Table' }], b: 1 },
      { a: ['stepship-web-deployments'], b: 1 },
    ],
  ])('resolves %s', (_case, input, expected) => {
    expect(resolve(input, env)).toEqual(expected);
  });

  it.each([
    [{ Ref: 'Nope' }, 'Ref to unknown resource or parameter "Nope"'],
    [{ 'Fn::GetAtt': ['Fn', 'Nope'] }, 'Fn::GetAtt Fn.Nope is not known'],
    [{ 'Fn::ImportValue': 'missing' }, 'Fn::ImportValue of unknown export "missing"'],
  ])('names what it cannot resolve: %j', (input, message) => {
    expect(() => resolve(input, env)).toThrow(UnresolvableError);
    expect(() => resolve(input, env)).toThrow(message);
  });
});
