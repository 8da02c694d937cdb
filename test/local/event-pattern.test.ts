import { describe, expect, it } from '@jest/globals';
import { matches, parsePattern } from '../../local/services/events/pattern.js';

const event = {
  source: 'aws.ecr',
  'detail-type': 'ECR Image Action',
  resources: ['arn:aws:ecr:us-east-1:000000000000:repository/web'],
  detail: { 'image-tag': 'v2', 'repository-name': 'Web', size: 42, result: 'SUCCESS', labels: ['a', 'b'] },
};

describe('event patterns', () => {
  it.each([
    ['an exact value', { source: ['aws.ecr'] }, true],
    ['another value', { source: ['aws.ecs'] }, false],
    ['a value in a list field', { detail: { labels: ['b'] } }, true],
    ['a prefix', { detail: { 'image-tag': [{ prefix: 'v' }] } }, true],
    ['a suffix', { 'detail-type': [{ suffix: 'Action' }] }, true],
    [
      'a prefix, ignoring case',
      { detail: { 'repository-name': [{ prefix: { 'equals-ignore-case': 'WE' } }] } },
      true,
    ],
    ['equals-ignore-case', { detail: { 'repository-name': [{ 'equals-ignore-case': 'web' }] } }, true],
    ['anything-but a value', { detail: { result: [{ 'anything-but': 'FAILURE' }] } }, true],
    [
      'anything-but a list holding the value',
      { detail: { result: [{ 'anything-but': ['SUCCESS', 'X'] }] } },
      false,
    ],
    [
      'anything-but a prefix it has',
      { detail: { 'image-tag': [{ 'anything-but': { prefix: 'v' } }] } },
      false,
    ],
    ['numeric within range', { detail: { size: [{ numeric: ['>', 40, '<=', 42] }] } }, true],
    ['numeric out of range', { detail: { size: [{ numeric: ['<', 10] }] } }, false],
    ['exists true', { detail: { 'image-tag': [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { digest: [{ exists: false }] } }, true],
    ['a missing field', { detail: { digest: ['x'] } }, false],
    ['a wildcard', { resources: [{ wildcard: 'arn:aws:ecr:*:repository/w*' }] }, true],
    ['a wildcard that needs backtracking', { 'detail-type': [{ wildcard: '*Image*ion' }] }, true],
    ['a wildcard that does not match', { 'detail-type': [{ wildcard: 'ECR*Push' }] }, false],
    [
      '$or, one alternative matching',
      { source: ['aws.ecr'], $or: [{ detail: { result: ['FAILURE'] } }, { detail: { size: [42] } }] },
      true,
    ],
    [
      '$or, no alternative matching',
      { $or: [{ detail: { result: ['FAILURE'] } }, { 'detail-type': ['Other'] }] },
      false,
    ],
    [
      '$or matching, a key beside it not',
      { source: ['aws.ecs'], $or: [{ detail: { size: [42] } }, { 'detail-type': ['Other'] }] },
      false,
    ],
    [
      '$or inside detail',
      { detail: { $or: [{ result: ['FAILURE'] }, { 'image-tag': ['v2'], labels: ['a'] }] } },
      true,
    ],
  ])('match %s: %s', (_, pattern, expected) => {
    expect(matches(parsePattern(JSON.stringify(pattern)), event)).toBe(expected);
  });

  it('handle a long wildcard against a long value without backtracking blow-up', () => {
    const pattern = parsePattern(JSON.stringify({ source: [{ wildcard: `${'*a'.repeat(40)}*b` }] }));
    const started = Date.now();
    expect(matches(pattern, { source: 'a'.repeat(5000) })).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['an empty $or', { $or: [] }],
    ['a $or of values', { source: { $or: ['a', 'b'] } }],
    ['a $or holding an invalid pattern', { $or: [{ source: ['a'] }, { source: 'b' }] }],
    ['cidr', { source: [{ cidr: '10.0.0.0/24' }] }],
    ['an empty object', {}],
    ['a nested array', { source: [['a']] }],
    ['exists with a string', { source: [{ exists: 'yes' }] }],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
  ])('refuse %s', (_, pattern) => {
    expect(() => parsePattern(JSON.stringify(pattern))).toThrow(/^Event pattern is not valid/);
  });
});
