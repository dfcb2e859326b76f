package dev.logstream.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

/** The one Jackson factory the encoder and decoder share, configured once. */
final class JsonSupport {
  static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          // One generator writes many records back to back; no separator between root values.
          .rootValueSeparator((String) null)
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build();

  static {
    FACTORY.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
  }

  private JsonSupport() {}
}
