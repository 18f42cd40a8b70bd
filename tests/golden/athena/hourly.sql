CREATE EXTERNAL TABLE IF NOT EXISTS `flowlogs`.`vpc_hourly` (
  `version` int,
  `account_id` string,
  `interface_id` string,
  `srcaddr` string,
  `dstaddr` string,
  `srcport` int,
  `dstport` int,
  `protocol` bigint,
  `packets` bigint,
  `bytes` bigint,
  `start` bigint,
  `end` bigint,
  `action` string,
  `log_status` string
)
PARTITIONED BY (`aws_account` string COMMENT 'a fixed list: for a new account make this table again', `aws_region` string COMMENT 'a fixed list: for a new region make this table again', `day` string, `hour` string)
ROW FORMAT DELIMITED
  FIELDS TERMINATED BY ' '
  NULL DEFINED AS '-'
STORED AS TEXTFILE
LOCATION 's3://flowlogs-main/team/net/AWSLogs/'
TBLPROPERTIES (
  'skip.header.line.count' = '1',
  'projection.enabled' = 'true',
  'projection.aws_account.type' = 'enum',
  'projection.aws_account.values' = '222222222222',
  'projection.aws_region.type' = 'enum',
  'projection.aws_region.values' = 'eu-central-1',
  'projection.day.type' = 'date',
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.range' = '2024/03/05,NOW',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://flowlogs-main/team/net/AWSLogs/${aws_account}/vpcflowlogs/${aws_region}/${day}/${hour}/'
)
