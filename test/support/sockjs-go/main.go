// A second server peer for the browser tests: sockjs-go (Debian's golang-github-igm-sockjs-go-dev,
// v3) serving the same endpoints as test/support/sockjs-server.mjs, on 127.0.0.1.
//
// Usage: sockjs-go-echo [-port N] [-heartbeat-delay-ms N]
// Prints "listening 127.0.0.1:<port>" on stdout once it accepts connections; exits when stdin
// closes, so a test process that dies cannot leave it running.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/igm/sockjs-go/v3/sockjs"
)

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: a random one)")
	heartbeatDelayMs := flag.Int("heartbeat-delay-ms", 25000, "heartbeat interval of every endpoint")
	flag.Parse()

	options := sockjs.DefaultOptions
	options.HeartbeatDelay = time.Duration(*heartbeatDelayMs) * time.Millisecond
	// gorilla/websocket refuses a cross-origin handshake by default (403); the test page is served
	// from another origin than this server, and sockjs-node accepts any origin, so do the same.
	options.WebsocketUpgrader = &websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	noWebsocket := options
	noWebsocket.Websocket = false
	cookieNeeded := options
	cookieNeeded.JSessionID = sockjs.DefaultJSessionID

	endpoints := []*sockjs.Handler{
		sockjs.NewHandler("/echo", options, echo),
		sockjs.NewHandler("/close", options, func(s sockjs.Session) { _ = s.Close(3000, "Go away!") }),
		sockjs.NewHandler("/push", options, push),
		sockjs.NewHandler("/disabled_websocket_echo", noWebsocket, echo),
		sockjs.NewHandler("/cookie_needed_echo", cookieNeeded, echo),
	}

	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening %s\n", listener.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	log.Fatal(http.Serve(listener, route(endpoints)))
}

// route hands a request to the endpoint whose prefix is a whole path segment of its path
// ("/echo/…", not "/echoes"); anything else is a 404 that a page of another origin can read.
func route(endpoints []*sockjs.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		for _, endpoint := range endpoints {
			prefix := endpoint.Prefix()
			if req.URL.Path == prefix || strings.HasPrefix(req.URL.Path, prefix+"/") {
				endpoint.ServeHTTP(rw, req)
				return
			}
		}
		notFound(rw, req)
	})
}

// notFound answers with CORS headers, as the sockjs-node test server does: without them a
// cross-origin 404 looks like a network error to the page.
func notFound(rw http.ResponseWriter, req *http.Request) {
	if origin := req.Header.Get("Origin"); origin != "" {
		rw.Header().Set("Access-Control-Allow-Origin", origin)
		rw.Header().Set("Access-Control-Allow-Credentials", "true")
	}
	if headers := req.Header.Get("Access-Control-Request-Headers"); headers != "" {
		rw.Header().Set("Access-Control-Allow-Headers", headers)
	}
	rw.Header().Set("Content-Type", "text/plain")
	if req.Method == http.MethodOptions {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	rw.WriteHeader(http.StatusNotFound)
	fmt.Fprint(rw, "Not found\n")
}

func echo(session sockjs.Session) {
	for {
		message, err := session.Recv()
		if err != nil {
			return
		}
		if err := session.Send(message); err != nil {
			return
		}
	}
}

func push(session sockjs.Session) {
	for _, message := range []string{"one", "two", "three"} {
		if err := session.Send(message); err != nil {
			return
		}
	}
}
