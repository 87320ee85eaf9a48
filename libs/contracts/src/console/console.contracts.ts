import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineMessage } from '../lib/contract-exports';
import { ServiceInfo } from '../platform/platform.contracts';

/** `console.info.v1`: who the console is (every service answers it; its readiness asks itself). */
export const ConsoleInfoMessage = defineMessage(
  'console.info.v1',
  Type.Object({}, { additionalProperties: false }),
  ServiceInfo,
  'Identity, version and schema of the console',
  // Only the console asks itself (its readiness); no service calls it.
  { callers: ['console'] },
);

/** Who is signed in to the console, and what the token may do (the pages show and enable only that). */
export const ConsoleSession = defineContract(
  'console.Session',
  Type.Object(
    {
      /** The token's name (`AUTH_TOKENS`), or `anonymous` when the platform runs open. */
      name: Type.String(),
      scopes: Type.Array(Type.String()),
      /** False only in the embedded profile without tokens: every action is allowed, nobody signs in. */
      authRequired: Type.Boolean(),
      profile: Type.Union([Type.Literal('embedded'), Type.Literal('production')]),
    },
    { additionalProperties: false },
  ),
);
export type ConsoleSession = Static<typeof ConsoleSession.schema>;

/** Red/amber/green of one thing the overview watches; `unknown` when it cannot be measured or read. */
export const BoardStatus = Type.Union([Type.Literal('green'), Type.Literal('amber'), Type.Literal('red'), Type.Literal('unknown')]);
export type BoardStatus = Static<typeof BoardStatus>;

const BoardItem = Type.Object(
  {
    /** Which team's part of the platform: a service's readiness, or the SLA of an interface. */
    area: Type.Union([Type.Literal('services'), Type.Literal('warehouse'), Type.Literal('features'), Type.Literal('models'), Type.Literal('serving')]),
    name: Type.String(),
    status: BoardStatus,
    /** What was measured, in a few words (`loaded 2 min ago`, `PSI 0.31 on plan`). */
    summary: Type.String(),
    /** The console page that answers the next question about it. */
    link: Type.String({ pattern: '^/' }),
  },
  { additionalProperties: false },
);
export type BoardItem = Static<typeof BoardItem>;

/** The overview: every service's readiness and every SLA as one board. */
export const OverviewBoard = defineContract(
  'console.OverviewBoard',
  Type.Object(
    {
      checkedAt: Type.String({ format: 'date-time' }),
      items: Type.Array(BoardItem),
      counts: Type.Object({ green: Type.Integer(), amber: Type.Integer(), red: Type.Integer(), unknown: Type.Integer() }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
);
export type OverviewBoard = Static<typeof OverviewBoard.schema>;
