/** One HTTP exchange's answer, fully read. */
export interface HttpResponse {
  /** The request, for messages: method and full URL as sent. */
  method: string;
  url: string;
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  /** The body decoded as UTF-8 (every Sync API answers in text). */
  body: string;
}

export function isSuccess(response: HttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}
