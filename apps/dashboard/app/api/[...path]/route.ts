import { forwardToDaemon } from '../../../lib/daemon-proxy';

// Every request goes to the daemon as it comes: nothing here is cached or prerendered.
export const dynamic = 'force-dynamic';

async function forward(request: Request, context: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path } = await context.params;
  const segments = path.map((segment) => encodeURIComponent(segment));
  // The daemon serves its health checks beside the API, at /health.
  const upstreamPath = segments.length === 1 && segments[0] === 'health' ? 'health' : ['api', ...segments].join('/');
  return forwardToDaemon(request, upstreamPath);
}

export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE, forward as HEAD, forward as OPTIONS };
