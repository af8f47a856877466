using System.Net;
using System.Net.Sockets;

namespace Talos.Tests.Support;

/// <summary>An HTTP server on 127.0.0.1 at a free port for tests that stand in for a remote service: every request goes to the handler, then its response is closed.</summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;

    /// <summary>http://127.0.0.1:PORT (no trailing slash).</summary>
    public string BaseUrl { get; }

    public LocalHttpServer(Func<HttpListenerContext, Task> handle)
    {
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
                try { await handle(ctx); } finally { ctx.Response.Close(); }
            }
        });
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
