/**
 * Image tags stepship pushes itself (builds, the buildx cache) start with
 * this prefix; the auto-deploy rule ignores them, since the execution that
 * built an image deploys it. buildspec/buildspec.yml's CACHE_TAG follows it.
 */
export const STEPSHIP_TAG_PREFIX = 'stepship-';
