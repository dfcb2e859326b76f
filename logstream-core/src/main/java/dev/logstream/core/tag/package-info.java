/**
 * The grid log tag {@code <prefix>.<manifest-id>:<app-id>}: a strict codec for grid-api ({@link
 * dev.logstream.core.tag.TagCodec#parse}, {@link dev.logstream.core.tag.TagCodec#format}) and a
 * lenient, cached classifier for the ingest hot path ({@link
 * dev.logstream.core.tag.TagCodec#classify}). The grammar is written out on {@link
 * dev.logstream.core.tag.TagCodec}.
 */
package dev.logstream.core.tag;
