/**
 * The Fluentd forward protocol, server side: an incremental decoder for Message, Forward,
 * PackedForward and CompressedPackedForward frames that hands records to the core encoder as
 * zero-copy views, and the server that acknowledges frames once they are stored. {@link
 * dev.logstream.forward.ForwardSecurity} configures the optional secure-forward handshake (shared
 * key, users, keep-alive); {@link dev.logstream.forward.ForwardTls} configures TLS (certificate
 * chain and key from PEM files, optional client-certificate authentication, protocol versions).
 * {@link dev.logstream.forward.PartialMessageAssembler}, off by default, joins the pieces Docker
 * splits long lines into back into one event.
 */
package dev.logstream.forward;
