import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';

/**
 * Apollo Server adds inline tracing (`ftv1`) to every subgraph on its own: any caller that sends
 * `apollo-federation-include-trace: ftv1` gets per-field timings back, and the tracing costs CPU on
 * every such request. Traces only have a reader when Apollo usage reporting is configured
 * (`APOLLO_KEY`), so without it this returns the plugin that turns inline tracing off; with it,
 * nothing, and Apollo Server's own defaults apply.
 */
export function inlineTracePlugins<C extends BaseContext>(): ApolloServerPlugin<C>[] {
  return process.env.APOLLO_KEY ? [] : [ApolloServerPluginInlineTraceDisabled()];
}
