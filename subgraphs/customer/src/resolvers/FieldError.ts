/** Validation problems are bad input unless a resolver says otherwise. */
export const FieldError = {
  code: (e: { code?: string }) => e.code ?? 'BAD_USER_INPUT',
};
