import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, PUBLIC_ERROR_CODES } from './errors.ts';
import type { Logger } from './log.ts';

/** The part of a context the masking plugin needs. */
export interface RequestScoped extends BaseContext {
  requestId: string;
}

function isPublic(error: GraphQLFormattedError): boolean {
  const code = error.extensions?.code;
  return typeof code === 'string' && PUBLIC_ERROR_CODES.has(code);
}

/**
 * Replaces every error without a public code by a generic INTERNAL error that carries the request
 * id, and logs the original with that id: stack traces and driver messages never reach a client.
 */
export function errorMaskingPlugin<C extends RequestScoped>(log: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, request }) {
          for (const err of errors) {
            const code = err.extensions?.code;
            if (typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) continue;
            log.error('internal error', {
              requestId: contextValue.requestId,
              operation: request.operationName,
              error: err.message,
              path: err.path,
              stack: err.originalError?.stack,
            });
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) =>
            isPublic(e)
              ? e
              : {
                  message: 'Internal error.',
                  ...(e.path ? { path: e.path } : {}),
                  extensions: { code: ErrorCode.INTERNAL, requestId: contextValue.requestId },
                },
          );
        },
      };
    },
  };
}
