import { gql, type TypedDocumentNode } from '@apollo/client';
import type { Role } from '$lib/portal/roles';

export { roleLabel, type Role } from '$lib/portal/roles';

export interface Viewer {
  uid: string;
  role: Role;
  tenant: { id: string; slug: string; name: string; branding: { companyName: string } } | null;
  customer: { id: string; name: string; accountNumber: string } | null;
}

export const VIEWER_QUERY: TypedDocumentNode<{ viewer: Viewer | null }, Record<string, never>> = gql`
  query PortalViewer {
    viewer {
      uid
      role
      tenant {
        id
        slug
        name
        branding {
          companyName
        }
      }
      customer {
        id
        name
        accountNumber
      }
    }
  }
`;
