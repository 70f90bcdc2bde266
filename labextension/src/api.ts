/**
 * The one way the sidebar talks to the server: `/jupyter-ext/api/...`, served by
 * the `jupyter_ext` server extension behind jupyter_server's authentication.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** What `GET /jupyter-ext/api/status` answers. */
export interface ServerStatus {
  /** The `jupyter_ext` version the server runs. */
  version: string;
  /** The store's home folder on the server's machine. */
  home: string;
}

/**
 * Call the jupyter_ext REST API and return its JSON body.
 *
 * `path` is relative to `/jupyter-ext/api/` (e.g. `'status'`). A non-2xx answer
 * throws a `ServerConnection.ResponseError` (an `Error`) whose message is the
 * server's JSON `message`, and whose `response.status` tells 400/404/409 apart.
 * A network failure throws a `ServerConnection.NetworkError`.
 */
export async function requestAPI<T>(
  path = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'jupyter-ext', 'api', path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const body = await response.text();
  const data = parseJSON(body);
  if (!response.ok) {
    throw new ServerConnection.ResponseError(
      response,
      errorMessage(data) ?? (body || response.statusText)
    );
  }
  return data as T;
}

function parseJSON(body: string): unknown {
  if (!body) {
    return undefined;
  }
  try {
    return JSON.parse(body);
  } catch {
    // Proxies answer some failures with HTML; the caller still gets the text.
    return body;
  }
}

function errorMessage(data: unknown): string | undefined {
  if (data !== null && typeof data === 'object' && 'message' in data) {
    const message = (data as { message: unknown }).message;
    if (typeof message === 'string' && message) {
      return message;
    }
  }
  return undefined;
}
