import type { MessageKey, Translator } from '$lib/i18n';

/** Why a sign-in step did not go through. */
export type SignInProblem =
  | 'missing'
  | 'wrong'
  | 'disabled'
  | 'throttled'
  | 'paused'
  | 'unavailable'
  | 'code'
  | 'session'
  | 'invalidEmail'
  | 'missingEmail'
  | 'missingPassword'
  | 'network'
  | 'wrongPortal'
  | 'portalUnavailable'
  | 'incomplete'
  | 'failed';

/** The message each problem is told with, in the reader's language. */
const PROBLEM_KEYS: Record<SignInProblem, MessageKey> = {
  missing: 'signIn.error.missing',
  wrong: 'signIn.error.wrong',
  disabled: 'signIn.error.disabled',
  throttled: 'signIn.error.throttled',
  paused: 'signIn.error.paused',
  unavailable: 'signIn.error.unavailable',
  code: 'signIn.error.code',
  session: 'signIn.error.session',
  invalidEmail: 'signIn.error.invalidEmail',
  missingEmail: 'signIn.error.missingEmail',
  missingPassword: 'signIn.error.missingPassword',
  network: 'signIn.error.network',
  wrongPortal: 'signIn.error.wrongPortal',
  portalUnavailable: 'signIn.error.portalUnavailable',
  incomplete: 'signIn.error.incomplete',
  failed: 'signIn.error.failed',
};

export const signInProblemWords = (i18n: Pick<Translator, 't'>, problem: SignInProblem) => i18n.t(PROBLEM_KEYS[problem]);

/** The sentence for a failed form post's answer (`problem`, or the gateway's own `detail`). */
export function signInProblemText(i18n: Pick<Translator, 't'>, form: { problem?: SignInProblem; detail?: string } | null | undefined): string | null {
  if (!form?.problem) return null;
  return form.problem === 'session' && form.detail ? form.detail : signInProblemWords(i18n, form.problem);
}
