/** Ids of the seeded demo records, for tests that probe across customers and tenants. */
export { customerId, tenantId, workOrderId, messageId } from '../scripts/demoData.ts';
