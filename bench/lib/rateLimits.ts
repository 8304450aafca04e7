/**
 * Budgets no benchmark reaches: a load test sends one login's requests far faster than any person
 * or integration may, and measures everything else the gateway does (the charge itself included).
 */
export const BENCH_RATE_LIMITS = { perKey: 1e12, perLogin: 1e12, perAddress: 1e12, maxOperationCost: 1e12 };
