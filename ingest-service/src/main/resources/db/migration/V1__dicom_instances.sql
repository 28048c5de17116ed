-- One row per DICOM instance ever received, keyed by the pseudonym of its SOP instance UID (never the
-- UID itself): the same instance sent twice is published once. A row whose published_at is null was
-- received but its event not confirmed by Kafka; the next copy of it is published again.
create table dicom_instance (
    instance_id   varchar(32) primary key,
    study_id      varchar(32),
    source        varchar(32) not null,
    received_at   timestamp with time zone not null,
    published_at  timestamp with time zone,
    copies        integer not null default 1
);
