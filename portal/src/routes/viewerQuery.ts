import { gql, type TypedDocumentNode } from '@apollo/client';

export type Role = 'CUSTOMER' | 'AGENT' | 'TENANT_ADMIN' | 'PLATFORM_OPERATOR' | 'INTEGRATOR';

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

const ROLE_LABELS: Record<Role, string> = {
  CUSTOMER: 'Customer',
  AGENT: 'Support agent',
  TENANT_ADMIN: 'Administrator',
  PLATFORM_OPERATOR: 'Platform operator',
  INTEGRATOR: 'Integration',
};

export function roleLabel(role: Role | string): string {
  return ROLE_LABELS[role as Role] ?? role;
}
