CREATE TABLE conversations (
	id VARCHAR(32) NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE question_log (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(32), 
	message_id VARCHAR(32), 
	question TEXT NOT NULL, 
	"query" TEXT, 
	language VARCHAR(8), 
	refused BOOLEAN NOT NULL, 
	mode VARCHAR(16), 
	top_chunk_ids JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_question_log_conversation_id ON question_log (conversation_id);
CREATE INDEX ix_question_log_created_at ON question_log (created_at);
CREATE TABLE messages (
	id VARCHAR(32) NOT NULL, 
	conversation_id VARCHAR(32) NOT NULL, 
	position INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	citations JSON NOT NULL, 
	refused BOOLEAN, 
	mode VARCHAR(16), 
	language VARCHAR(8), 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
);
CREATE INDEX ix_messages_conversation_id ON messages (conversation_id);
CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(32) NOT NULL, 
	message_id VARCHAR(32) NOT NULL, 
	rating VARCHAR(8) NOT NULL, 
	comment TEXT, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE, 
	UNIQUE (message_id), 
	FOREIGN KEY(message_id) REFERENCES messages (id) ON DELETE CASCADE
);
CREATE INDEX ix_feedback_conversation_id ON feedback (conversation_id);
