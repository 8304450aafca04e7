import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { codedError, ErrorCode } from '@wisp/shared';

/**
 * Answers a subscription sent over HTTP with a clear 400 instead of the query planner's internal
 * error: subscriptions are served over graphql-ws on the same `/graphql` path.
 */
export function subscriptionsOverHttpPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw codedError(ErrorCode.BAD_USER_INPUT, 'Subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on this same path.', {
              http: { status: 400 },
            });
          }
        },
      };
    },
  };
}
