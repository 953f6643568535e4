"""The catalogue's words: every status, cause, alert type, role, state and column, in Chinese and English.

Plain data keyed by the values the code stores (``CameraStatus.frozen`` is ``"frozen"``), so this module
imports nothing of sitemon and every stage may read it. ``monitor.core.wording`` looks words up;
``tests/monitor/core/test_wording.py`` checks that every member of every enum has both words.
"""

from __future__ import annotations

Words = dict[str, tuple[str, str]]
"""A value -> (Chinese, English)."""

DAY_STATUS: Words = {
    "active": ("正常施工", "active"),
    "low_activity": ("施工不足", "low activity"),
    "idle": ("停工", "idle"),
    "camera_outage": ("视频中断", "camera outage"),
    "not_expected": ("未要求施工", "not expected"),
    "not_started": ("未到施工时段", "before working hours"),
    "no_score": ("未评分", "no score"),
}

CAMERA_STATUS: Words = {
    "online": ("在线", "online"),
    "offline": ("离线", "offline"),
    "unauthorized": ("认证失败", "unauthorized"),
    "not_found": ("地址错误", "not found"),
    "stream_error": ("码流错误", "stream error"),
    "frozen": ("画面冻结", "frozen"),
    "black": ("黑屏", "black"),
    "unstable": ("视角不稳定", "view unstable"),
    "unknown": ("未知", "unknown"),
}

CAUSE: Words = {
    "refused": ("摄像机连接被拒绝", "The camera refused the connection"),
    "timeout": ("摄像机无响应（连接超时）", "The camera does not answer (timed out)"),
    "dns": ("摄像机地址无法解析", "The camera's host name does not resolve"),
    "reset": ("与摄像机的连接中断", "The connection to the camera broke off"),
    "unreachable": ("网络不通，连不上摄像机", "The camera cannot be reached on the network"),
    "unauthorized": ("摄像机账号或密码错误", "Wrong user name or password for the camera"),
    "password_encoding": ("摄像机密码含特殊字符，需重新配置", "The camera password needs encoding in the address"),
    "not_found": ("视频流地址不存在", "The stream address does not exist"),
    "publisher_gone": ("视频流已停止推送", "The stream stopped publishing"),
    "server_error": ("视频服务器出错", "The video server answered with an error"),
    "transport_refused": ("视频服务器拒绝传输方式", "The video server refused both transports"),
    "bad_url": ("摄像机地址配置有误", "The camera address is not valid"),
    "invalid_data": ("视频数据无法解码", "The stream's data does not decode"),
    "no_video": ("视频流中没有画面", "The stream holds no video"),
    "no_frame": ("未取到可用画面", "No usable picture came"),
    "no_keyframe": ("未收到完整画面（无关键帧）", "No key frame came in time"),
    "stream_ended": ("视频流中途中断", "The stream ended"),
    "too_large": ("画面数据过大", "The picture is over the size limit"),
    "deadline": ("取图超时", "The camera did not answer within the sweep's time"),
    "black": ("黑屏或无图像", "Black or blank picture"),
    "frozen": ("画面静止不变（画面冻结），看不到现场", "The picture never changes (frozen): the site cannot be seen"),
    "view_changed": ("摄像机视角变化（被碰动或转动）", "The camera was moved to a new view"),
    "view_unstable": (
        "视角不稳定：画面一直在移动，无法判断施工",
        "The view never holds still: the site cannot be judged",
    ),
    "detection_failed": ("识别程序出错", "Detection failed"),
    "internal": ("系统内部错误", "Internal error"),
}

ALERT_TYPE: Words = {
    "site_idle": ("停工预警", "site idle"),
    "camera_offline": ("摄像机离线", "camera offline"),
    "camera_frozen": ("画面冻结", "camera frozen"),
    "camera_black": ("黑屏", "camera black"),
    "low_coverage": ("视频覆盖率低", "low coverage"),
    "camera_moved": ("视角变化", "camera moved"),
    "camera_unstable": ("视角不稳定", "view unstable"),
    "start_overdue": ("未按期开工", "start overdue"),
    "production_overdue": ("未按期投产", "production overdue"),
    "started_idle": ("开工后停工", "idle after start"),
    "progress_lagging": ("进度滞后", "progress lagging"),
    "assignment_overdue": ("交办逾期", "assignment overdue"),
}

SEVERITY: Words = {"warning": ("一般", "warning"), "critical": ("严重", "critical")}

ALERT_STATE: Words = {
    "open": ("未处理", "open"),
    "acknowledged": ("已确认", "acknowledged"),
    "resolved": ("已解除", "resolved"),
    "assigned": ("已交办", "assigned"),
}

ROLE: Words = {
    "unit": ("责任单位", "responsible unit"),
    "viewer": ("调度查看", "viewer"),
    "operator": ("调度员", "operator"),
    "admin": ("管理员", "administrator"),
}

ASSIGNMENT_STATE: Words = {
    "open": ("待办", "open"),
    "replied": ("已回复", "replied"),
    "closed": ("已销号", "closed"),
    "overdue": ("已逾期", "overdue"),
    "active": ("未办结", "not closed"),
}

PROBLEM: Words = {
    "idle": ("停工", "idle"),
    "outage": ("视频中断", "camera outage"),
    "start_overdue": ("未按期开工", "start overdue"),
    "started_idle": ("开工后停工", "idle after start"),
    "progress_lagging": ("进度滞后", "progress lagging"),
    "other": ("其他", "other"),
}
"""What an assignment is about; an assignment made from an alert names the alert's type (``ALERT_TYPE``)."""

BATCH: Words = {
    "signed": ("签约", "signed"),
    "started": ("开工", "started"),
    "in_production": ("投产", "in production"),
}

MILESTONE: Words = {
    "start": ("开工", "start"),
    "structure_complete": ("主体完工", "structure complete"),
    "completion": ("竣工", "completion"),
    "production": ("投产", "production"),
}

MILESTONE_STATE: Words = {
    "on_time": ("按期", "on time"),
    "late": ("逾期完成", "late"),
    "overdue": ("已逾期", "overdue"),
    "pending": ("未到期", "not due"),
    "no_plan": ("未设定", "no plan"),
}

PROPOSAL_STATE: Words = {
    "pending": ("待确认", "waiting"),
    "confirmed": ("已确认", "confirmed"),
    "rejected": ("已否决", "rejected"),
}

PERIOD: Words = {
    "day": ("今日", "today"),
    "week": ("本周", "this week"),
    "month": ("本月", "this month"),
    "quarter": ("本季度", "this quarter"),
}

COLUMN: Words = {
    "rank": ("排名", "Rank"),
    "site_id": ("项目编号", "Site ID"),
    "site": ("项目名称", "Site"),
    "district": ("区县", "District"),
    "batch": ("批次", "Batch"),
    "current_batch": ("当前批次", "Batch today"),
    "unit": ("责任单位", "Responsible unit"),
    "score": ("得分", "Score"),
    "status": ("状态", "Status"),
    "coverage": ("视频覆盖率", "Video coverage"),
    "active_share": ("活跃时段占比", "Active share"),
    "avg_moving_workers": ("平均施工人数", "Average moving workers"),
    "avg_working_machines": ("平均作业机械", "Average working machines"),
    "worker_hours": ("人工工时", "Worker hours"),
    "machine_hours": ("机械台时", "Machine hours"),
    "structure_change": ("结构变化", "Structure change"),
    "partial": ("部分日", "Partial day"),
    "observed_until": ("数据截至", "Observed until"),
    "sites": ("项目数", "Sites"),
    "scored_sites": ("已评分项目数", "Scored sites"),
    "average_score": ("平均得分", "Average score"),
    "idle_sites": ("停工项目数", "Idle sites"),
    "outage_sites": ("视频中断项目数", "Sites without video"),
    "camera": ("摄像机", "Camera"),
    "uptime": ("在线率", "Online share"),
    "camera_coverage": ("采样率", "Sampled"),
    "camera_status": ("画面状态", "Picture"),
    "reason": ("原因", "Reason"),
    "since": ("起始", "Since"),
    "run_days": ("连续天数", "Days in a row"),
    "before": ("此前", "Before"),
    "number": ("编号", "No."),
    "problem": ("问题", "Problem"),
    "ask": ("交办内容", "What is asked"),
    "assigned_by": ("交办人", "Assigned by"),
    "assigned_on": ("交办日期", "Assigned on"),
    "deadline": ("办结期限", "Deadline"),
    "reply": ("办理情况", "Reply"),
    "resumed": ("活动已恢复", "Activity resumed"),
    "closed_on": ("销号日期", "Closed on"),
    "signed": ("签约项目", "Signed"),
    "due": ("应开工", "Due"),
    "started": ("已开工", "Started"),
    "start_rate": ("开工率", "Start rate"),
    "started_in_period": ("本期开工", "Started in the period"),
    "started_projects": ("开工项目", "Started projects"),
    "production_due": ("应投产", "Due"),
    "production_on_time": ("按期投产", "On time"),
    "in_production": ("已投产", "In production"),
    "production_rate": ("投产率", "In-production rate"),
    "in_production_in_period": ("本期投产", "In production in the period"),
    "as_of": ("统计截至", "As of"),
    "milestone": ("节点", "Milestone"),
    "milestone_due": ("应完成", "Due"),
    "on_time": ("按期", "On time"),
    "late": ("逾期", "Late"),
    "on_time_share": ("按期率", "On-time share"),
    "scored_days": ("评分日", "Scored days"),
    "outage_days": ("视频中断天数", "Outage days"),
    "idle_days": ("停工天数", "Idle days"),
    "low_days": ("施工不足天数", "Low-activity days"),
    "judged_average": ("综合得分（中断日计0分）", "Overall (outage days as 0)"),
    "longest_run": ("最长连续停工/中断", "Longest run"),
    "opened": ("本期交办", "Given"),
    "closed": ("本期销号", "Closed"),
    "overdue": ("逾期", "Overdue"),
    "still_open": ("未办结", "Not closed"),
    "active_days": ("正常施工天数", "Active days"),
    "expected": ("应采样", "Expected samples"),
    "taken": ("已采样", "Taken"),
    "online_samples": ("在线样本", "Online samples"),
}

SHARE_COLUMNS = frozenset(
    {
        "coverage",
        "active_share",
        "uptime",
        "camera_coverage",
        "start_rate",
        "production_rate",
        "on_time_share",
        "structure_change",
    }
)
"""Columns that hold a share (0..1): a workbook shows them as percentages."""

PHRASE: Words = {
    "today": ("今日", "today"),
    "days": ("{n}天", "{n} d"),
    "lasting_days": ("已持续 {n} 天", "for {n} days"),
    "lasting_hours": ("已持续 {n} 小时", "for {n} h"),
    "lasting_minutes": ("已持续 {n} 分钟", "for {n} min"),
    "since_day": ("自 {day} 起", "since {day}"),
    "run_since": ("{status} {days}（自 {since}）", "{status} {days} (since {since})"),
    "no_data": ("暂无数据", "no data"),
    "all": ("全部", "all"),
    "back": ("返回总览", "back to the overview"),
    "log_in_first": ("请先登录", "Log in first"),
    "map_unplaced": ("{n} 个项目未设坐标", "{n} sites without coordinates"),
}

LABEL: Words = {
    "production_rate": ("开工项目按期投产率", "In-production rate of started projects"),
    "map": ("项目一张图", "Map"),
    "map_fill": ("区县填色", "County colour"),
    "map_fill_score": ("今日平均得分", "Today's average score"),
    "map_fill_start_rate": ("签约项目开工率", "Start rate"),
    "compare": ("周期对比", "Side by side"),
    "compare_day": ("对比日期", "Days"),
    "compare_camera": ("摄像机", "Camera"),
    "compare_change": ("结构变化区域", "Where the structure changed"),
    "compare_no_picture": ("当日无画面", "No picture that day"),
    "compare_changed_share": ("结构区变化 {share}", "{share} of the structure zone changed"),
    "compare_show": ("对比", "Compare"),
}
"""The screens' own labels: the map, the side-by-side comparison, the in-production rate."""

ALERT_TEXT: Words = {
    "site_idle": ("{site}：已 {idle_hours} 个工作小时无施工活动", "{site}: no work for {idle_hours} working hours"),
    "site_idle_days": ("{site}：连续 {idle_days} 天停工", "{site}: idle {idle_days} days in a row"),
    "camera_offline": ("{site} {camera}：{cause}", "{site} {camera}: {cause}"),
    "camera_frozen": ("{site} {camera}：{cause}", "{site} {camera}: {cause}"),
    "camera_black": ("{site} {camera}：{cause}", "{site} {camera}: {cause}"),
    "camera_moved": ("{site} {camera}：{cause}，请核对监测区域", "{site} {camera}: {cause}; check the zones"),
    "camera_unstable": ("{site} {camera}：{cause}", "{site} {camera}: {cause}"),
    "site_idle_no_video": (
        "{site}：停工预警保持，{since} 起无视频，恢复画面前无法确认复工",
        "{site}: still idle as far as anyone knows; no video since {since}",
    ),
    "low_coverage": ("{site}：{day} 视频覆盖率 {coverage}", "{site}: video coverage {coverage} on {day}"),
    "start_overdue": (
        "{site}：计划 {planned_start} 开工，已过 {days_late} 天，尚未确认开工",
        "{site}: start planned {planned_start}, {days_late} days ago, not confirmed",
    ),
    "production_overdue": (
        "{site}：计划 {planned_production} 投产，已过 {days_late} 天，尚未投产",
        "{site}: production planned {planned_production}, {days_late} days ago, not in production",
    ),
    "started_idle": (
        "{site}：已开工项目连续 {idle_working_days} 个工作日停工",
        "{site}: started, idle {idle_working_days} working days in a row",
    ),
    "progress_lagging": (
        "{site}：近 {weeks} 周主体结构增长 {growth}，计划 {planned_completion} 竣工",
        "{site}: structure grew {growth} in {weeks} weeks, completion planned {planned_completion}",
    ),
    "assignment_overdue": (
        "{site}：交办事项 {assignments} 已逾期（{unit}）",
        "{site}: assignments {assignments} overdue ({unit})",
    ),
    "other": ("{site}：{type}", "{site}: {type}"),
}
"""An alert as a dispatcher reads it, from its type, the names of its site and camera and its details."""

BOX: Words = {
    "worker_moving": ("人员·作业", "worker, moving"),
    "worker": ("人员·静止", "worker, still"),
    "machinery_moving": ("机械·作业", "machine, working"),
    "machinery": ("机械·停放", "machine, parked"),
    "vehicle_moving": ("车辆·行驶", "vehicle, moving"),
    "vehicle": ("车辆·停放", "vehicle, parked"),
}
"""The labels of a snapshot's boxes: what moved since the previous sample, and what did not."""

GROUPS: dict[str, Words] = {
    "day_status": DAY_STATUS,
    "box": BOX,
    "camera_status": CAMERA_STATUS,
    "cause": CAUSE,
    "alert_type": ALERT_TYPE,
    "severity": SEVERITY,
    "alert_state": ALERT_STATE,
    "role": ROLE,
    "assignment_state": ASSIGNMENT_STATE,
    "problem": PROBLEM,
    "batch": BATCH,
    "milestone": MILESTONE,
    "milestone_state": MILESTONE_STATE,
    "proposal_state": PROPOSAL_STATE,
    "period": PERIOD,
    "column": COLUMN,
    "phrase": PHRASE,
    "label": LABEL,
    "alert_text": ALERT_TEXT,
}
