CREATE EXTERNAL TABLE IF NOT EXISTS `flowlogs`.`vpc_hive` (
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
PARTITIONED BY (`aws_account` string COMMENT 'a fixed list: for a new account make this table again', `aws_region` string COMMENT 'a fixed list: for a new region make this table again', `year` string, `month` string, `day` string)
ROW FORMAT DELIMITED
  FIELDS TERMINATED BY ' '
  NULL DEFINED AS '-'
STORED AS TEXTFILE
LOCATION 's3://flowlogs-main/hive/AWSLogs/'
TBLPROPERTIES (
  'skip.header.line.count' = '1',
  'projection.enabled' = 'true',
  'projection.aws_account.type' = 'enum',
  'projection.aws_account.values' = '333333333333',
  'projection.aws_region.type' = 'enum',
  'projection.aws_region.values' = 'ap-southeast-2',
  'projection.year.type' = 'date',
  'projection.year.format' = 'yyyy',
  'projection.year.range' = '2024,NOW',
  'projection.year.interval' = '1',
  'projection.year.interval.unit' = 'YEARS',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://flowlogs-main/hive/AWSLogs/aws-account-id=${aws_account}/aws-service=vpcflowlogs/aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/'
)
