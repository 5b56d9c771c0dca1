/**
 * What S3-compatible stores and the AWS credential services answer, as they write it: the seeds
 * of the S3 fuzz targets. AWS S3 (ListObjectsV2 with encoding-type=url, its error bodies with
 * the canonical request echoed), MinIO (Go's encoder writes `&#34;` for a quote, and an Owner
 * per key), Ceph RGW (a last page echoing the token it was sent), the multipart and copy
 * results; STS's AssumeRoleWithWebIdentity answer and refusal as the AWS documentation prints
 * them (indented), an IMDSv2 credentials document and its failure, and the ECS and EKS Pod
 * Identity agents' JSON.
 */
import { createHash } from 'node:crypto';

/** The hex sha256 of `s`: keys of the store's layout (`sha256/<2 hex>/<64 hex>`). */
export const hexOf = (s: string): string => createHash('sha256').update(s).digest('hex');
const key = (prefix: string, s: string): string => `${prefix}sha256/${hexOf(s).slice(0, 2)}/${hexOf(s)}`;

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

export const AWS_LIST_PAGE =
  `${XML_DECL}<ListBucketResult ${S3_NS}><Name>airlock-blobs</Name><Prefix>gw%2Fsha256%2F</Prefix>` +
  '<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>' +
  '<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>' +
  [['a', '2025-03-14T09:26:53.000Z', 5], ['b', '2025-03-14T09:27:01.000Z', 1048576], ['c', '2024-12-31T23:59:59.000Z', 0]]
    .map(
      ([s, at, size]) =>
        `<Contents><Key>${key('gw/', String(s))}</Key><LastModified>${String(at)}</LastModified><ETag>&quot;${hexOf(String(s)).slice(0, 32)}&quot;</ETag>` +
        `<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>${String(size)}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('') +
  '</ListBucketResult>';

export const MINIO_LIST_PAGE =
  `${XML_DECL}<ListBucketResult ${S3_NS}><Name>airlock</Name><Prefix>sha256%2F</Prefix><NextContinuationToken>c2hhMjU2LzdiLzdiNTJhYmI2</NextContinuationToken>` +
  '<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter></Delimiter><IsTruncated>true</IsTruncated>' +
  ['d', 'e']
    .map(
      (s) =>
        `<Contents><Key>${key('', s)}</Key><LastModified>2025-06-02T11:04:17.417Z</LastModified><ETag>&#34;${hexOf(s).slice(0, 32)}&#34;</ETag><Size>2048</Size>` +
        '<Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4</ID><DisplayName>minio</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>',
    )
    .join('') +
  '<EncodingType>url</EncodingType></ListBucketResult>';

/** Ceph RGW's last page: not truncated, the token it was sent echoed, a prefix listed beside the keys. */
export const RGW_LAST_PAGE =
  `${XML_DECL}<ListBucketResult ${S3_NS}><Name>airlock</Name><Prefix>gw/sha256/</Prefix><ContinuationToken>c2hhMjU2LzdiLzdiNTJhYmI2</ContinuationToken>` +
  `<StartAfter></StartAfter><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><KeyCount>2</KeyCount>` +
  `<Contents><Key>${key('gw/', 'f')}</Key><LastModified>2025-01-07T08:00:00.123Z</LastModified><ETag>"${hexOf('f').slice(0, 32)}-2"</ETag><Size>20971520</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents>` +
  '<CommonPrefixes><Prefix>gw/sha256/ff/</Prefix></CommonPrefixes></ListBucketResult>';

export const EMPTY_LIST_PAGE = `${XML_DECL}<ListBucketResult ${S3_NS}><Name>airlock</Name><Prefix>gw%2Fsha256%2F</Prefix><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated></ListBucketResult>`;

export const LIST_PAGES: readonly string[] = [AWS_LIST_PAGE, MINIO_LIST_PAGE, RGW_LAST_PAGE, EMPTY_LIST_PAGE];

export const ERROR_BODIES: readonly string[] = [
  `${XML_DECL}<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key('gw/', 'a')}</Key><RequestId>4442587FB7D0A2F9</RequestId>` +
    '<HostId>Zd0ShBwpTlLc8z0p4vIYaXFNB8vQk/TDfgGYoj6v1TA+xkXIYv9+C5btTcTjkdXWZ0Gfh/OZ6Vw=</HostId></Error>',
  `${XML_DECL}<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>` +
    '<AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20250314T092653Z\n20250314/us-east-1/s3/aws4_request\n9d1c7b1ad4bbd6d7d8f1a1c0e0f5d2f0c6c5a8b6e0f8d3b1c5e6a7d8b9c0d1e2</StringToSign>' +
    '<SignatureProvided>4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9</SignatureProvided><StringToSignBytes>41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a</StringToSignBytes>' +
    '<CanonicalRequest>GET\n/airlock-blobs\nencoding-type=url&amp;list-type=2&amp;max-keys=1&amp;prefix=gw%2Fsha256%2F\nhost:s3.us-east-1.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD</CanonicalRequest>' +
    '<CanonicalRequestBytes>47 45 54 0a 2f</CanonicalRequestBytes><RequestId>7N9T6K1Z2M3Q4R5S</RequestId><HostId>abc=</HostId></Error>',
  `${XML_DECL}<Error><Code>AccessDenied</Code><Message>Access Denied.</Message><Key>${key('', 'd')}</Key><BucketName>airlock</BucketName><Resource>/airlock/${key('', 'd')}</Resource>` +
    '<RequestId>17C9B2E5C1A0F4D3</RequestId><HostId>dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8</HostId></Error>',
  `${XML_DECL}<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>A1B2C3D4E5F6A7B8</RequestId><HostId>xyz=</HostId></Error>`,
];

/** A multipart initiation, its completion (padded with white space while S3 works, as it is sent), and a copy's result. */
export const RESULTS: readonly string[] = [
  `${XML_DECL}<InitiateMultipartUploadResult ${S3_NS}><Bucket>airlock-blobs</Bucket><Key>${key('gw/', 'g')}</Key>` +
    '<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId></InitiateMultipartUploadResult>',
  `${' '.repeat(40)}${XML_DECL}<CompleteMultipartUploadResult ${S3_NS}><Location>https://airlock-blobs.s3.us-east-1.amazonaws.com/${key('gw/', 'g')}</Location>` +
    `<Bucket>airlock-blobs</Bucket><Key>${key('gw/', 'g')}</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-2&quot;</ETag></CompleteMultipartUploadResult>`,
  `${XML_DECL}<CopyObjectResult ${S3_NS}><LastModified>2025-03-14T09:30:00.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>`,
  `${' '.repeat(20)}${XML_DECL}<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>656c76696e6727732072657175657374</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>`,
];

/** When the seeds' credentials run out (their Expiration), and a time before it to judge them at. */
export const SEED_EXPIRY = '2025-10-24T23:00:23Z';
export const SEED_NOW = Date.parse('2025-10-24T22:00:00Z');

export const STS_ANSWER = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:airlock:gateway</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/airlock-gateway/airlock-node-a</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:airlock-node-a</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE/zL3Wb1lZ9Q2hfYw==</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>${SEED_EXPIRY}</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <SourceIdentity>airlock</SourceIdentity>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`;

export const STS_REFUSAL = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>Incorrect token audience</Message>
  </Error>
  <RequestId>c8f3b1a2-7d5e-4f6a-9b0c-1d2e3f4a5b6c</RequestId>
</ErrorResponse>
`;

/** IMDSv2's credentials document: pretty-printed, as the instance metadata service writes it. */
export const IMDS_CREDENTIALS = `{
  "Code" : "Success",
  "LastUpdated" : "2025-10-24T16:39:16Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAIOSFODNN7EXAMPLE",
  "SecretAccessKey" : "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "Token" : "IQoJb3JpZ2luX2VjEJv//////////wEaCXVzLWVhc3QtMSJHMEUCIQDvEXAMPLE==",
  "Expiration" : "${SEED_EXPIRY}"
}`;

/** What IMDS answers (200) when it cannot assume the instance's role. */
export const IMDS_FAILURE = `{
  "Code" : "AssumeRoleUnauthorizedAccess",
  "Message" : "EC2 cannot assume the role airlock-instance. Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#troubleshoot_roles_ec2-troubleshoot.",
  "LastUpdated" : "2025-10-24T16:39:16Z"
}`;

export const ECS_CREDENTIALS = `{"RoleArn":"arn:aws:iam::123456789012:role/airlock-task","AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","Token":"IQoJb3JpZ2luX2VjEJv//////////wEaCXVzLWVhc3QtMSJHMEUCIQDvEXAMPLE==","Expiration":"${SEED_EXPIRY}"}`;

export const POD_IDENTITY_CREDENTIALS = `{"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","Token":"IQoJb3JpZ2luX2VjEJv//////////wEaCXVzLWVhc3QtMSJHMEUCIQDvEXAMPLE==","AccountId":"123456789012","Expiration":"2025-10-24T23:00:23+00:00"}`;
