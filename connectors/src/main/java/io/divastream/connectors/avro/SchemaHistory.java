package io.divastream.connectors.avro;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The earlier schemas of a generated Avro record, kept by the schemas module as resources
 * {@code io/divastream/schemas/history/<Record>.<n>.avsc} (n = 1, 2, ... without gaps) when a change to
 * the record's {@code .avsc} is released: readers with the current class still read records written
 * by earlier builds.
 */
final class SchemaHistory {

    private static final String FOLDER = "io/divastream/schemas/history/";

    private SchemaHistory() {}

    /**
     * The earlier schemas of a record class.
     *
     * @param type the generated class
     * @return its earlier schemas, oldest first (empty if it never changed)
     */
    static List<Schema> earlier(Class<?> type) {
        List<Schema> schemas = new ArrayList<>();
        ClassLoader loader = type.getClassLoader();
        for (int n = 1; ; n++) {
            String name = FOLDER + type.getSimpleName() + "." + n + ".avsc";
            try (InputStream in = loader.getResourceAsStream(name)) {
                if (in == null) {
                    return schemas;
                }
                schemas.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the schema " + name, e);
            }
        }
    }

    /**
     * Names the earlier schemas a decoder also reads, for an error message.
     *
     * @param type the generated class
     * @return {@code ""}, or {@code " or one of its n earlier schemas"}
     */
    static String describe(Class<?> type) {
        int n = earlier(type).size();
        return n == 0 ? "" : " or one of its " + n + " earlier schemas";
    }
}
