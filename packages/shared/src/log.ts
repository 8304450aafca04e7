/** One-line JSON logs on stderr, so every service's output can be grepped the same way. */
export function createLogger(service: string) {
  const write = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
    if (level === 'debug' && !process.env.DEBUG) return;
    process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, service, msg, ...fields })}\n`);
  };
  return {
    debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
    info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
    warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
    error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
  };
}
export type Logger = ReturnType<typeof createLogger>;
