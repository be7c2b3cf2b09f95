package io.divastream.sql;

import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The Flink SQL format {@code diva-registry}: the Schema Registry wire format ({@code 00}, a 4-byte schema id, the
 * Avro binary body) with the writers' schemas fetched by id from a registry speaking Apicurio's API, as the system
 * writes its topics with {@code serde.format registry}. A table's columns pick fields of the records by name, at
 * any depth (rows of nested records, maps, arrays); each record is read with its own writer's schema, so tables
 * read records of every compatible version. Flink's own {@code avro-confluent} format would read the same bytes,
 * but needs Confluent's client, which is not available here (docs/kafka-platform.md).
 *
 * <pre>{@code
 * 'value.format' = 'diva-registry',
 * 'value.diva-registry.url' = 'http://registry:8080/apis/registry/v2'
 * }</pre>
 */
public final class RegistryFormatFactory implements DeserializationFormatFactory {

    /** The format's name in a table's options. */
    public static final String IDENTIFIER = "diva-registry";

    /** The registry's Apicurio API. */
    public static final ConfigOption<String> URL = ConfigOptions.key("url")
            .stringType()
            .noDefaultValue()
            .withDescription("the schema registry's Apicurio API, e.g. http://registry:8080/apis/registry/v2");

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        FactoryUtil.validateFactoryOptions(this, formatOptions);
        String url = formatOptions.get(URL);
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(
                    DynamicTableSource.Context sourceContext, DataType physicalDataType) {
                RowType rowType = (RowType) physicalDataType.getLogicalType();
                TypeInformation<RowData> info = sourceContext.createTypeInformation(physicalDataType);
                return new RegistryRowDeserializationSchema(url, rowType, info);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(URL);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }
}
