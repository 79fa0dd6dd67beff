/**
 * Typed search attributes the workflow upserts when its input sets `searchAttributes: true`. A namespace must
 * register them first:
 *
 *   temporal operator search-attribute create --name PineconeImportId --type Keyword
 *   temporal operator search-attribute create --name PineconeImportStatus --type Keyword
 *   temporal operator search-attribute create --name PineconeIndexHost --type Keyword
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PINECONE_IMPORT_ID = defineSearchAttributeKey('PineconeImportId', SearchAttributeType.KEYWORD);
export const PINECONE_IMPORT_STATUS = defineSearchAttributeKey('PineconeImportStatus', SearchAttributeType.KEYWORD);
export const PINECONE_INDEX_HOST = defineSearchAttributeKey('PineconeIndexHost', SearchAttributeType.KEYWORD);

/** Every key above, for registering them (`TestWorkflowEnvironment.createLocal({ server: { searchAttributes } })`). */
export const IMPORT_SEARCH_ATTRIBUTE_KEYS = [PINECONE_IMPORT_ID, PINECONE_IMPORT_STATUS, PINECONE_INDEX_HOST];
