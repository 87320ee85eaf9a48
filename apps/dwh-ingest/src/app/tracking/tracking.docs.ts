import type { ApiContractOptions } from '@mlp/service-kit';

// The tracking routes' OpenAPI documentation (kept beside the controller so its diff stays small).

const SEMANTICS =
  'Segment-compatible (analytics.js / analytics-node send it unchanged). 200 means every accepted message is committed to `dwh.events` before the answer; ' +
  "each message is checked alone against the tracking plan (the latest event schema of its name): one that breaks it is stored as a failed event (`GET /v1/failed-events`) with its violations and listed in `results`, the others are stored. " +
  'A `messageId` already stored counts as a duplicate and is not stored again, so retries are safe. Limits: 32 KiB per message, 500 KiB per request. Scope `ingest:write`.';

const ERRORS = {
  400: ['INVALID_ENVELOPE'],
  413: ['EVENT_TOO_LARGE', 'REQUEST_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  503: ['DEPENDENCY_UNAVAILABLE'],
};

export const TRACK_DOC: ApiContractOptions = {
  summary: 'Record one track event',
  description: `One \`track\` call: \`event\`, \`properties\`, \`userId\` or \`anonymousId\`, optional \`messageId\`, \`timestamp\`, \`context\`. ${SEMANTICS}`,
  errors: ERRORS,
  example: { accepted: 1, duplicates: 0, rejected: 0, results: [] },
};

export const IDENTIFY_DOC: ApiContractOptions = {
  summary: 'Record one identify call',
  description: `One \`identify\` call: \`userId\` or \`anonymousId\` with \`traits\` (checked against the \`identify\` event schema). ${SEMANTICS}`,
  errors: ERRORS,
  example: { accepted: 1, duplicates: 0, rejected: 0, results: [] },
};

const single = (type: string, what: string, schema: string): ApiContractOptions => ({
  summary: `Record one ${type} call`,
  description: `One \`${type}\` call: ${what} (checked against ${schema}). Segment's path for it; a write key is accepted as Segment sends it. ${SEMANTICS}`,
  errors: ERRORS,
  example: { accepted: 1, duplicates: 0, rejected: 0, results: [] },
});

export const PAGE_DOC = single('page', '`name`, `category`, `properties`, `userId` or `anonymousId`', 'the event schema `page_<name>` (snake case), else `page`');
export const SCREEN_DOC = single('screen', '`name`, `category`, `properties`, `userId` or `anonymousId`', 'the event schema `screen_<name>` (snake case), else `screen`');
export const GROUP_DOC = single('group', '`groupId` and `traits` of the group, `userId` or `anonymousId`', 'the event schema `group`');
export const ALIAS_DOC = single('alias', '`previousId` and `userId`: the two ids are the same person', 'nothing: an alias has no payload');

export const BATCH_DOC: ApiContractOptions = {
  summary: 'Record up to 2,500 track, identify, page, screen, group and alias calls',
  description: `\`{"batch": [...], "sentAt"?, "context"?}\`: each message has its \`type\`; the batch's \`sentAt\` and \`context\` apply to messages without their own. ${SEMANTICS} More than 2,500 messages: 413 BATCH_TOO_LARGE.`,
  errors: { ...ERRORS, 413: [...ERRORS[413], 'BATCH_TOO_LARGE'] },
  example: {
    accepted: 1,
    duplicates: 1,
    rejected: 2,
    results: [
      { index: 1, messageId: 'ajs-5e0d1c2b3a494f87', status: 'rejected', errors: [{ path: '$.event', code: 'UNPLANNED_EVENT', message: 'rocket_launched is not in the tracking plan' }] },
      { index: 2, messageId: 'ajs-9a8b7c6d5e4f3a21', status: 'rejected', errors: [{ path: '$.properties.price', code: 'DATATYPE_MISMATCH', message: 'must be number' }] },
      { index: 3, messageId: 'ajs-0f1e2d3c4b5a6978', status: 'duplicate', errors: [] },
    ],
  },
};
