/**
 * What an applied fix changed, precisely enough to take it back. The executor returns these, the
 * audit record stores them, and `rollback` reverses them (and nothing else). Each kind belongs to
 * the fix-action module that records it (`actions/`); this module is the stable entry point.
 */
export { type AppliedChange, appliedChangeSchema, describeChange } from './actions/index';
export { ALL_BLOCKED, describeBlock } from './actions/put-public-access-block';
