package io.divastream.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The reader's schema for a table: the writer's schema cut down to the table's columns, in the table's order, at
 * every depth (a column of type {@code ROW} picks fields of a nested record by name; maps and arrays are followed
 * into their values and elements). Types are the writer's, so Avro's resolution reads every field as written and
 * flink-avro's converters turn it into the column's type.
 */
final class SchemaProjection {

    private SchemaProjection() {}

    /**
     * Cuts a writer's schema to a table's row.
     *
     * @param writer the writer's schema
     * @param type the table's row type (or a nested column's type)
     * @return the reader's schema
     * @throws IllegalArgumentException naming a column that is not a field of the record
     */
    static Schema of(Schema writer, LogicalType type) {
        switch (writer.getType()) {
            case UNION:
                List<Schema> branches = new ArrayList<>();
                for (Schema branch : writer.getTypes()) {
                    branches.add(branch.getType() == Schema.Type.NULL ? branch : of(branch, type));
                }
                return Schema.createUnion(branches);
            case RECORD:
                if (!(type instanceof RowType row)) {
                    return writer;
                }
                List<Schema.Field> fields = new ArrayList<>();
                for (RowType.RowField column : row.getFields()) {
                    Schema.Field field = writer.getField(column.getName());
                    if (field == null) {
                        throw new IllegalArgumentException("column " + column.getName() + " is not a field of "
                                + writer.getFullName() + " (fields: " + names(writer) + ")");
                    }
                    fields.add(new Schema.Field(
                            field.name(), of(field.schema(), column.getType()), field.doc(), field.defaultVal()));
                }
                return Schema.createRecord(writer.getName(), writer.getDoc(), writer.getNamespace(), false, fields);
            case MAP:
                return type instanceof MapType map
                        ? Schema.createMap(of(writer.getValueType(), map.getValueType()))
                        : writer;
            case ARRAY:
                return type instanceof ArrayType array
                        ? Schema.createArray(of(writer.getElementType(), array.getElementType()))
                        : writer;
            default:
                return writer;
        }
    }

    private static List<String> names(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }
}
