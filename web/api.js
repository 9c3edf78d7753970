// The public REST API, as the pages use it: JSON over /api/v1 at this origin, a bearer token, errors
// as problem+json. Every response that carries `server_time` is reported to the clock, with the moment
// the request left and the answer arrived, so the clock can measure its offset on each one.

/** The server answered with a problem (4xx/5xx). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.code = (problem && problem.code) || '';
    this.problem = problem || {};
  }
}

/** The server could not be reached, or the answer was cut off. */
export class NetworkError extends Error {}

/** Whether a failed call may succeed later unchanged (network down, server busy or restarting). */
export function retryable(error) {
  return error instanceof NetworkError || (error instanceof ApiError && (error.status >= 500 || error.status === 429));
}

let token = null;
let timeListener = () => {};

/** The bearer token sent with every call (`null` for none). */
export function setToken(value) {
  token = value;
}

/** `f(serverMs, sentMs, receivedMs)` is called for every response carrying `server_time`. */
export function onServerTime(f) {
  timeListener = f;
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const sent = Date.now();
  let res;
  let text;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    text = await res.text();
  } catch (e) {
    throw new NetworkError(String(e));
  }
  const received = Date.now();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (data && typeof data.server_time === 'string') timeListener(Date.parse(data.server_time), sent, received);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const enc = encodeURIComponent;

/** Exchanges an access code for a candidate token and the exam. */
export const access = (code) => call('POST', '/auth/access', { code });
/** The exam intro and the caller's attempt, if any. */
export const exam = () => call('GET', '/exam');
/** Starts (or resumes) the caller's attempt. */
export const start = () => call('POST', '/attempts', {});
/** The attempt with its saved answers. */
export const attempt = (id) => call('GET', `/attempts/${enc(id)}`);
/** Saves one answer. */
export const save = (id, question, answer, seq) =>
  call('PUT', `/attempts/${enc(id)}/answers/${enc(question)}`, { answer, seq });
/** Hands the attempt in. */
export const submit = (id) => call('POST', `/attempts/${enc(id)}/submit`, {});
/** The released result. */
export const result = (id) => call('GET', `/attempts/${enc(id)}/result`);

// Staff: the marking desk.
/** Logs a staff member in with e-mail and password. */
export const login = (email, password) => call('POST', '/auth/login', { email, password });
/** The exams the caller marks, with what is left per question. */
export const markerExams = () => call('GET', '/marking/exams');
/** The tasks the caller holds (of one exam, or all). */
export const heldTasks = (examId) =>
  call('GET', `/marking/tasks?held=true${examId ? `&exam_id=${enc(examId)}` : ''}`);
/** Claims the next answer of an exam, or of one question of it; `null` when nothing is left. */
export const claim = (examId, question) =>
  call('POST', '/marking/claim', question ? { exam_id: examId, question } : { exam_id: examId });
/** Renews a held task's lease. */
export const renew = (id, fence) => call('POST', `/marking/tasks/${enc(id)}/renew`, { fence });
/** Scores a held task. */
export const score = (id, fence, points, comment) =>
  call('POST', `/marking/tasks/${enc(id)}/score`, { points, comment, fence });
/** Gives a held task back to the queue. */
export const giveBack = (id, fence) => call('POST', `/marking/tasks/${enc(id)}/release`, { fence });
/** The caller's own marks in an exam. */
export const myMarks = (examId) => call('GET', `/marking/exams/${enc(examId)}/marks`);
/** Corrects one of the caller's marks before release. */
export const correct = (id, points, comment) => call('PUT', `/marking/tasks/${enc(id)}/score`, { points, comment });
