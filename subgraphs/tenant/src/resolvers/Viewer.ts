import type { Context } from '../context.ts';

interface ViewerParent {
  uid: string;
  tenantId?: string | null;
}

export const Viewer = {
  // The viewer is always the caller: a reference to anyone else resolves to nothing.
  __resolveReference: ({ uid }: ViewerParent, { identity }: Context) =>
    identity && identity.uid === uid ? { uid, role: identity.role, tenantId: identity.tenantId } : null,

  tenant: (parent: ViewerParent, _: unknown, { loaders }: Context) => (parent.tenantId ? loaders.tenant.load(parent.tenantId) : null),
};
