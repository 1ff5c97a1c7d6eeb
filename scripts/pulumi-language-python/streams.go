// Output of a child process sent to the engine over a server-streaming RPC, as messages.
package main

import (
	"io"
	"sync"

	"google.golang.org/grpc"
)

// serialStream sends on one gRPC server stream from several goroutines. gRPC forbids concurrent
// SendMsg on a stream, and a child's stdout and stderr are copied by two goroutines (three for
// a policy pack, whose stdout passes through the policy proxy).
type serialStream[T any] struct {
	mu     sync.Mutex
	server grpc.ServerStreamingServer[T]
}

func (s *serialStream[T]) Send(msg *T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.server.Send(msg)
}

// Writer returns an io.Writer whose every Write becomes one message made by wrap.
func (s *serialStream[T]) Writer(wrap func([]byte) *T) io.Writer {
	return streamWriter(func(p []byte) error {
		return s.Send(wrap(append([]byte(nil), p...)))
	})
}

type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
