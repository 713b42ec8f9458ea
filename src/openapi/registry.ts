import { adminOperations } from '../admin/routes.ts';
import { myAuditOperations } from '../audit/routes.ts';
import { healthOperations } from '../health/routes.ts';
import { oauthOperations } from '../oauth/routes.ts';
import { postsOperations } from '../posts/routes.ts';
import { sessionsOperations } from '../sessions/routes.ts';
import { tokensOperations } from '../tokens/routes.ts';
import { usersOperations } from '../users/routes.ts';
import type { OperationSpec } from './operation.ts';
import { openApiOperations } from './routes.ts';

/**
 * Every documented operation. Each feature declares its operations in its
 * routes.ts, next to the handlers; a new feature router adds its list here
 * (test/openapi/conformance.test.ts fails on any route that is missing).
 */
export const OPERATIONS: readonly OperationSpec[] = [
  ...healthOperations,
  ...openApiOperations,
  ...usersOperations,
  ...sessionsOperations,
  ...myAuditOperations,
  ...tokensOperations,
  ...oauthOperations,
  ...adminOperations,
  ...postsOperations,
];
