/** Why a sign-in step did not go through. */
export type SignInProblem = 'missing' | 'wrong' | 'disabled' | 'throttled' | 'paused' | 'unavailable' | 'code' | 'session';

/** What the sign-in forms say for each problem. */
export const SIGN_IN_WORDS: Record<SignInProblem, string> = {
  missing: 'Please enter your email and password.',
  wrong: 'Email or password is incorrect.',
  disabled: 'This account has been disabled. Please contact support.',
  throttled: 'Too many attempts. Please wait a moment and try again.',
  paused: 'Signing in to this account is paused for 15 minutes after several failed attempts.',
  unavailable: 'We could not reach the sign-in service. Please try again in a moment.',
  code: 'That code is not right. Enter the current 6-digit code from your authenticator app.',
  session: 'Sign-in could not be completed.',
};

/** The sentence for a failed form post's answer (`problem`, or the gateway's own `detail`). */
export function signInProblemText(form: { problem?: SignInProblem; detail?: string } | null | undefined): string | null {
  if (!form?.problem) return null;
  return form.problem === 'session' && form.detail ? form.detail : SIGN_IN_WORDS[form.problem];
}
